# Peer fits for multivariate two-level models with MISSING outcome values (full-information ML per
# cluster), with lavaan's two-level FIML (`cluster =`, `missing = "ml"`).
#   Rscript bench/peers/twolevel_missing_lavaan.R [--data DIR] [--out DIR]
#     -> fixtures/twolevel/ex9.6-missing.dat (the data, written first) and
#        fixtures/peers/twolevel_missing_lavaan.json
#
# Data: mplus-ug/ex9.6.dat (y1 y2 y3 y4 x1 x2 w clus; 1000 individuals, 110 clusters) with outcome
# values deleted completely at random: each of y1-y4 is set missing with probability 0.15
# (set.seed(20261122)); an individual whose four outcomes would all be missing keeps y1 (Mplus
# drops individuals without any observed outcome, lavaan keeps them with a zero contribution: keeping
# one observed value avoids that difference). Missing values are written as -99 (Mplus
# `MISSING ARE ALL (-99);`), the other values with the six decimals of the original file.
#
# Models (Mplus syntax -> lavaan syntax), as in twolevel_lavaan.R:
#   ex9_6: WITHIN = x1 x2; BETWEEN = w; %WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; y1-y4@0; fb ON w;
#          (the User's Guide ex9.6 model: between residual variances fixed at 0; left free, one of them
#          goes negative on these data and lavaan's standard errors fail)
#   cfaw:  USEVARIABLES = y1-y4; %WITHIN% fw BY y1-y4; %BETWEEN% y1-y4 WITH y1-y4;  (within factor,
#          unrestricted Sigma_B)
# Standard errors: estimator "ML" with lavaan's default information for missing = "ml", the observed
# information (Hessian; lavOptions information "observed", observed.information "hessian"), se_ml.
# lavaan 0.6.14 cannot compute MLR standard errors for two-level models with missing = "ml" (its
# sandwich has non-finite entries; also `information = "observed"` given explicitly fails the same
# way): no se_mlr here.
#
# Log-likelihood: `loglik_conditional` is the exact log-likelihood of the observed outcome values given
# the covariates at lavaan's estimates, computed here by a dense multivariate normal density of each
# cluster's stacked OBSERVED values (rows of I_n (x) Sigma_W + 1 1' (x) Sigma_B and of the mean for the
# observed entries only), without any two-level shortcut; plusmix must match it. lavaan's `logl`
# (printed too) also holds the covariates' part when there are covariates.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))

opt <- peer_args()
d <- peer_read(opt, "mplus-ug/ex9.6.dat", c("y1", "y2", "y3", "y4", "x1", "x2", "w", "clus"))
ys <- c("y1", "y2", "y3", "y4")

set.seed(20261122)
miss <- matrix(runif(nrow(d) * 4) < 0.15, nrow(d), 4)
miss[rowSums(miss) == 4, 1] <- FALSE
for (k in 1:4) d[[ys[k]]][miss[, k]] <- NA
out_dat <- file.path(opt$data, "twolevel", "ex9.6-missing.dat")
dir.create(dirname(out_dat), showWarnings = FALSE, recursive = TRUE)
fmt <- function(v) ifelse(is.na(v), sprintf("%12s", "-99"), sprintf("%12.6f", v))
lines <- sprintf("%s%s%s%s%s%s%s %3d", fmt(d$y1), fmt(d$y2), fmt(d$y3), fmt(d$y4), fmt(d$x1), fmt(d$x2), fmt(d$w), d$clus)
writeLines(lines, out_dat)
cat(sprintf("wrote %s: %d rows, %d missing outcome values (%s per variable)\n", out_dat, nrow(d), sum(miss),
            paste(colSums(miss), collapse = " ")))
# read back what was written, so the fit uses exactly the file's values
d <- utils::read.table(out_dat, header = FALSE, col.names = c(ys, "x1", "x2", "w", "clus"), na.strings = "-99")

models <- list(
  ex9_6 = list(
    mplus = "WITHIN = x1 x2; BETWEEN = w; %WITHIN% fw BY y1-y4; fw ON x1 x2; %BETWEEN% fb BY y1-y4; y1-y4@0; fb ON w;",
    ys = ys, xw = c("x1", "x2"), xb = "w",
    syntax = "
      level: 1
        fw =~ y1 + y2 + y3 + y4
        fw ~ x1 + x2
      level: 2
        fb =~ y1 + y2 + y3 + y4
        fb ~ w
        y1 ~~ 0*y1; y2 ~~ 0*y2; y3 ~~ 0*y3; y4 ~~ 0*y4
    "),
  cfaw = list(
    mplus = "USEVARIABLES = y1-y4; %WITHIN% fw BY y1-y4; %BETWEEN% y1-y4 WITH y1-y4;",
    ys = ys, xw = character(0), xb = character(0),
    syntax = "
      level: 1
        fw =~ y1 + y2 + y3 + y4
      level: 2
        y1 ~~ y2 + y3 + y4
        y2 ~~ y3 + y4
        y3 ~~ y4
    ")
)

# exact conditional log-likelihood of the observed y given the covariates, from lavaan's parameter table
dense_conditional_loglik <- function(fit, ys, xw, xb) {
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
  gW <- sapply(xw, function(x) get("fw", "~", x, 1L))
  gB <- sapply(xb, function(x) get("fb", "~", x, 2L))
  total <- 0
  for (cl in split(seq_len(nrow(d)), d$clus)) {
    n <- length(cl)
    Y <- as.matrix(d[cl, ys, drop = FALSE])
    M <- matrix(nu, n, p, byrow = TRUE)
    if (length(xw)) M <- M + outer(as.numeric(as.matrix(d[cl, xw, drop = FALSE]) %*% gW), lamW)
    if (length(xb)) M <- M + outer(as.numeric(as.matrix(d[cl, xb, drop = FALSE]) %*% gB), lamB)
    y <- as.numeric(t(Y))               # individual-major stacking
    mu <- as.numeric(t(M))
    V <- kronecker(diag(n), SW) + kronecker(matrix(1, n, n), SB)
    o <- !is.na(y)
    R <- chol(V[o, o, drop = FALSE])
    z <- backsolve(R, y[o] - mu[o], transpose = TRUE)
    total <- total - 0.5 * (sum(o) * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
  }
  total
}

pe_list <- function(fit_ml) {
  a <- parameterEstimates(fit_ml)
  free <- a$se > 0 & !is.na(a$se)
  out <- list()
  for (i in which(free)) {
    key <- paste0("L", a$level[i], ":", a$lhs[i], a$op[i], a$rhs[i])
    out[[key]] <- list(est = a$est[i], se_ml = a$se[i])
  }
  out
}

res <- list(package = "lavaan", versions = peer_versions(c("lavaan")),
            data = "twolevel/ex9.6-missing.dat (written by this script from mplus-ug/ex9.6.dat)",
            missing = list(seed = 20261122, probability = 0.15, code = -99,
                           count = as.list(setNames(colSums(is.na(d[ys])), ys))),
            se_note = "se_ml: estimator ML, observed information (Hessian), lavaan's default with missing = 'ml'; no MLR (see the script)",
            key_note = "L<level>:<lhs><op><rhs>, level 1 = within, 2 = between; op =~ loading, ~ regression, ~~ (co)variance, ~1 intercept",
            models = list())
for (nm in names(models)) {
  mdl <- models[[nm]]
  t <- peer_timed(sem(mdl$syntax, data = d, cluster = "clus", estimator = "ML", missing = "ml"))
  fit <- t$value
  stopifnot(lavInspect(fit, "converged"), lavInspect(fit, "options")$observed.information[1] == "hessian")
  fm <- fitMeasures(fit, c("logl", "npar"))
  llc <- dense_conditional_loglik(fit, mdl$ys, mdl$xw, mdl$xb)
  res$models[[nm]] <- list(
    mplus_model = mdl$mplus, lavaan_model = mdl$syntax,
    call = "sem(model, data, cluster = 'clus', estimator = 'ML', missing = 'ml')",
    logl = unname(fm[["logl"]]), loglik_conditional = llc, loglik_covariates = unname(fm[["logl"]]) - llc,
    npar = unname(fm[["npar"]]), nobs = nobs(fit), nclusters = lavInspect(fit, "nclusters"),
    estimates = pe_list(fit), elapsed = t$elapsed)
  cat(sprintf("%s: logl %.4f, conditional %.4f, npar %d\n", nm, fm[["logl"]], llc, as.integer(fm[["npar"]])))
}
peer_write(opt, "twolevel_missing_lavaan.json", res)
