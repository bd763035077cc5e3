# Peer fits for Mplus's latent covariate decomposition (a covariate in neither WITHIN nor BETWEEN is
# split into uncorrelated within and between latent parts, x_ij = x_w,ij + x_b,j; UG ex9.1 part b) with
# lavaan's two-level ML, the covariate being an endogenous (modelled) variable on both levels.
#   Rscript bench/peers/twolevel_latentcov_lavaan.R [--data DIR] [--out DIR]  -> fixtures/peers/twolevel_latentcov_lavaan.json
#
# Data: hsb/hsb.dat (7185 students, 160 schools). Models (Mplus -> lavaan):
#   ses1: USEVARIABLES = mathach ses; %WITHIN% mathach ON ses; %BETWEEN% mathach ON ses;
#         (ses in neither list: its within variance, between mean and between variance are parameters)
#   ses2: USEVARIABLES = mathach ses sector; BETWEEN = sector;
#         %WITHIN% mathach ON ses; %BETWEEN% mathach ON ses sector;
# lavaan: fixed.x = FALSE (every variable modelled); for ses2 the between part of ses is uncorrelated
# with sector (`ses ~~ 0*sector`): Mplus's likelihood conditions on the between covariate sector and ses_b
# is not regressed on it. lavaan's logl then also holds sector's own normal density (its mean and
# variance over the 160 schools at their ML values), `loglik_covariates`, which Mplus leaves out:
# plusmix must match `loglik_conditional` = logl - loglik_covariates. As a check independent of lavaan,
# `loglik_dense` evaluates the conditional log-likelihood at lavaan's estimates with a dense per-school
# normal density of (mathach, ses) stacked over the school's students.
# Standard errors: ML with observed information (se_ml) and MLR (se_mlr), as in twolevel_lavaan.R.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))
opt <- peer_args()
d <- peer_read(opt, "hsb/hsb.dat", c("school", "minority", "female", "ses", "mathach", "meanses", "sector", "size", "pracad", "disclim", "himinty"))

models <- list(
  ses1 = list(
    mplus = "USEVARIABLES = mathach ses; %WITHIN% mathach ON ses; %BETWEEN% mathach ON ses;",
    w = character(0),
    syntax = "
      level: 1
        mathach ~ ses
      level: 2
        mathach ~ ses
    "),
  ses2 = list(
    mplus = "USEVARIABLES = mathach ses sector; BETWEEN = sector; %WITHIN% mathach ON ses; %BETWEEN% mathach ON ses sector;",
    w = "sector",
    syntax = "
      level: 1
        mathach ~ ses
      level: 2
        mathach ~ ses + sector
        ses ~~ 0*sector
    "))

dense_conditional <- function(fit, w) {
  pe <- parameterEstimates(fit)
  get <- function(lhs, op, rhs, level) {
    v <- pe$est[pe$lhs == lhs & pe$op == op & pe$rhs == rhs & pe$level == level]
    if (length(v) == 0L) 0 else v
  }
  # within: x_w ~ N(0, vx), y_w = b_w x_w + e, e ~ N(0, ve); between: x_b ~ N(mx, vxb),
  # y_b = a + b_b x_b + g w + u, u ~ N(0, vu)
  bw <- get("mathach", "~", "ses", 1L); vxw <- get("ses", "~~", "ses", 1L); ve <- get("mathach", "~~", "mathach", 1L)
  bb <- get("mathach", "~", "ses", 2L); vxb <- get("ses", "~~", "ses", 2L); vu <- get("mathach", "~~", "mathach", 2L)
  a <- get("mathach", "~1", "", 2L); mx <- get("ses", "~1", "", 2L)
  g <- if (length(w)) get("mathach", "~", w, 2L) else 0
  SW <- matrix(c(bw^2 * vxw + ve, bw * vxw, bw * vxw, vxw), 2, 2)      # (mathach, ses) within
  SB <- matrix(c(bb^2 * vxb + vu, bb * vxb, bb * vxb, vxb), 2, 2)      # between
  total <- 0
  for (cl in split(seq_len(nrow(d)), d$school)) {
    n <- length(cl)
    wv <- if (length(w)) d[[w]][cl[1]] else 0
    mu <- rep(c(a + bb * mx + g * wv, mx), n)
    y <- as.numeric(rbind(d$mathach[cl], d$ses[cl]))
    V <- kronecker(diag(n), SW) + kronecker(matrix(1, n, n), SB)
    R <- chol(V)
    z <- backsolve(R, y - mu, transpose = TRUE)
    total <- total - 0.5 * (2 * n * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
  }
  total
}

res <- list(package = "lavaan", versions = peer_versions(c("lavaan")), data = "hsb/hsb.dat",
            se_note = "se_ml: estimator ML, information observed (Hessian); se_mlr: estimator MLR, observed information bread, cluster-level scores",
            key_note = "L<level>:<lhs><op><rhs>, level 1 = within, 2 = between",
            models = list())
for (nm in names(models)) {
  mdl <- models[[nm]]
  t <- peer_timed(sem(mdl$syntax, data = d, cluster = "school", estimator = "ML", information = "observed", fixed.x = FALSE))
  fit <- t$value
  fit_mlr <- sem(mdl$syntax, data = d, cluster = "school", estimator = "MLR", information = "observed", fixed.x = FALSE)
  stopifnot(lavInspect(fit, "converged"), lavInspect(fit_mlr, "converged"))
  fm <- fitMeasures(fit, c("logl", "npar"))
  llw <- 0; nw <- 0
  if (length(mdl$w)) {
    wv <- tapply(d[[mdl$w]], d$school, function(v) v[1])
    m <- mean(wv); v <- mean((wv - m)^2)
    llw <- sum(dnorm(wv, m, sqrt(v), log = TRUE)); nw <- 2
  }
  a <- parameterEstimates(fit); b <- parameterEstimates(fit_mlr)
  est <- list()
  for (i in which(a$se > 0 & !is.na(a$se))) {
    if (length(mdl$w) && (a$lhs[i] == mdl$w && a$rhs[i] %in% c(mdl$w, "") )) next   # sector's own mean / variance
    est[[paste0("L", a$level[i], ":", a$lhs[i], a$op[i], a$rhs[i])]] <- list(est = a$est[i], se_ml = a$se[i], se_mlr = b$se[i])
  }
  res$models[[nm]] <- list(mplus_model = mdl$mplus, lavaan_model = mdl$syntax,
    call = "sem(model, data, cluster = 'school', estimator = 'ML' | 'MLR', information = 'observed', fixed.x = FALSE)",
    logl = unname(fm[["logl"]]), loglik_covariates = llw, loglik_conditional = unname(fm[["logl"]]) - llw,
    loglik_dense = dense_conditional(fit, mdl$w), npar = unname(fm[["npar"]]) - nw, nobs = nobs(fit),
    estimates = est, elapsed = t$elapsed)
  cat(sprintf("%s: logl %.4f conditional %.4f dense %.4f npar %d\n", nm, fm[["logl"]], fm[["logl"]] - llw, res$models[[nm]]$loglik_dense, as.integer(fm[["npar"]]) - nw))
}
peer_write(opt, "twolevel_latentcov_lavaan.json", res)
