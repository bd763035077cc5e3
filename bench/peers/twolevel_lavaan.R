# Peer fits for multivariate two-level normal models (issue 5, UG chapter 9 shapes) with lavaan's
# two-level ML (`cluster =`).
#   Rscript bench/peers/twolevel_lavaan.R [--data DIR] [--out DIR]   -> fixtures/peers/twolevel_lavaan.json
#
# Data mplus-ug/ex9.6.dat, columns y1 y2 y3 y4 x1 x2 w clus (1000 individuals, 110 clusters).
# Models (Mplus syntax -> lavaan syntax):
#   ex9_6: WITHIN = x1 x2; BETWEEN = w; %WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; fb ON w;
#   ri2:   USEVARIABLES = y1 y2; %WITHIN% y1 WITH y2; %BETWEEN% y1 WITH y2;  (unrestricted Sigma_W, Sigma_B)
#   cfaw:  USEVARIABLES = y1-y4; %WITHIN% fw BY y1-y4; %BETWEEN% y1-y4 WITH y1-y4;  (within factor, unrestricted Sigma_B)
# Standard errors: estimator = "ML" with information = "observed" (observed.information = "hessian",
# the inverse Hessian of the log-likelihood, as plusmix's ESTIMATOR = ML) and estimator = "MLR"
# (sandwich with cluster-level scores, same observed information as bread).
#
# Log-likelihood: lavaan's logl with fixed.x = TRUE includes the (saturated) marginal density of
# the covariates x1 x2 w, which Mplus (and plusmix) leave out. The script therefore also computes
# `loglik_conditional`: the exact log-likelihood of y given the covariates at lavaan's estimates,
# by a dense per-cluster multivariate normal density of the stacked cluster vector
# (covariance I_n (x) Sigma_W + 1 1' (x) Sigma_B; written here without any two-level shortcut), and
# `loglik_covariates` = logl - loglik_conditional. plusmix must match loglik_conditional.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))

opt <- peer_args()
d <- peer_read(opt, "mplus-ug/ex9.6.dat", c("y1", "y2", "y3", "y4", "x1", "x2", "w", "clus"))

models <- list(
  ex9_6 = list(
    mplus = "WITHIN = x1 x2; BETWEEN = w; %WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; fb ON w;",
    ys = c("y1", "y2", "y3", "y4"),
    syntax = "
      level: 1
        fw =~ y1 + y2 + y3 + y4
        fw ~ x1 + x2
      level: 2
        fb =~ y1 + y2 + y3 + y4
        fb ~ w
    "),
  ri2 = list(
    mplus = "USEVARIABLES = y1 y2; %WITHIN% y1 WITH y2; %BETWEEN% y1 WITH y2;",
    ys = c("y1", "y2"),
    syntax = "
      level: 1
        y1 ~~ y2
      level: 2
        y1 ~~ y2
    "),
  cfaw = list(
    mplus = "USEVARIABLES = y1-y4; %WITHIN% fw BY y1-y4; %BETWEEN% y1-y4 WITH y1-y4;",
    ys = c("y1", "y2", "y3", "y4"),
    syntax = "
      level: 1
        fw =~ y1 + y2 + y3 + y4
      level: 2
        y1 ~~ y2 + y3 + y4
        y2 ~~ y3 + y4
        y3 ~~ y4
    ")
)

# exact conditional log-likelihood of y given covariates, from lavaan's parameter table:
# Sigma_L = lambda_L psi_L lambda_L' + Theta_L (psi_L the factor's residual variance given the
# covariates; for ri2 there is no factor and Theta_L is the unrestricted (co)variance matrix).
dense_conditional_loglik <- function(fit, ys) {
  pe <- parameterEstimates(fit)
  get <- function(lhs, op, rhs, level) {
    v <- pe$est[pe$lhs == lhs & pe$op == op & pe$rhs == rhs & pe$level == level]
    if (length(v) == 0L) 0 else v
  }
  p <- length(ys)
  sig <- function(level, f) {
    lam <- sapply(ys, function(y) get(f, "=~", y, level))
    S <- outer(lam, lam) * get(f, "~~", f, level)
    for (a in ys) for (b in ys) S[a, b] <- S[a, b] + get(a, "~~", b, level) + (a != b) * get(b, "~~", a, level)
    S
  }
  SW <- sig(1L, "fw")
  SB <- sig(2L, "fb")
  nu <- sapply(ys, function(y) get(y, "~1", "", 2L))
  lamW <- sapply(ys, function(y) get("fw", "=~", y, 1L))
  lamB <- sapply(ys, function(y) get("fb", "=~", y, 2L))
  gW <- c(get("fw", "~", "x1", 1L), get("fw", "~", "x2", 1L))
  gB <- get("fb", "~", "w", 2L)
  total <- 0
  for (cl in split(seq_len(nrow(d)), d$clus)) {
    n <- length(cl)
    Y <- as.matrix(d[cl, ys, drop = FALSE])
    M <- matrix(nu, n, p, byrow = TRUE) +
      outer(as.numeric(as.matrix(d[cl, c("x1", "x2")]) %*% gW), lamW) +
      outer(d$w[cl] * gB, lamB)
    r <- as.numeric(t(Y - M))            # individual-major stacking
    V <- kronecker(diag(n), SW) + kronecker(matrix(1, n, n), SB)
    R <- chol(V)
    z <- backsolve(R, r, transpose = TRUE)
    total <- total - 0.5 * (n * p * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
  }
  total
}

pe_list <- function(fit_ml, fit_mlr) {
  a <- parameterEstimates(fit_ml)
  b <- parameterEstimates(fit_mlr)
  free <- a$se > 0 & !is.na(a$se)
  out <- list()
  for (i in which(free)) {
    key <- paste0("L", a$level[i], ":", a$lhs[i], a$op[i], a$rhs[i])
    out[[key]] <- list(est = a$est[i], se_ml = a$se[i], se_mlr = b$se[i])
  }
  out
}

res <- list(package = "lavaan", versions = peer_versions(c("lavaan")), data = "mplus-ug/ex9.6.dat",
            se_note = paste("se_ml: estimator ML, information observed (Hessian); se_mlr: estimator MLR,",
                            "observed information bread, cluster-level scores (lavaan default robust.huber.white)."),
            key_note = "L<level>:<lhs><op><rhs>, level 1 = within, 2 = between; op =~ loading, ~ regression, ~~ (co)variance, ~1 intercept",
            models = list())
for (nm in names(models)) {
  mdl <- models[[nm]]
  t <- peer_timed(sem(mdl$syntax, data = d, cluster = "clus", estimator = "ML", information = "observed"))
  fit <- t$value
  fit_mlr <- sem(mdl$syntax, data = d, cluster = "clus", estimator = "MLR", information = "observed")
  stopifnot(lavInspect(fit, "converged"), lavInspect(fit_mlr, "converged"))
  fm <- fitMeasures(fit, c("logl", "npar"))
  llc <- dense_conditional_loglik(fit, mdl$ys)
  res$models[[nm]] <- list(
    mplus_model = mdl$mplus, lavaan_model = mdl$syntax,
    call = "sem(model, data, cluster = 'clus', estimator = 'ML' | 'MLR', information = 'observed')",
    logl = unname(fm[["logl"]]), loglik_conditional = llc, loglik_covariates = unname(fm[["logl"]]) - llc,
    npar = unname(fm[["npar"]]), nobs = nobs(fit), nclusters = lavInspect(fit, "nclusters"),
    estimates = pe_list(fit, fit_mlr), elapsed = t$elapsed)
  cat(sprintf("%s: logl %.4f, conditional %.4f, npar %d\n", nm, fm[["logl"]], llc, as.integer(fm[["npar"]])))
}
peer_write(opt, "twolevel_lavaan.json", res)
