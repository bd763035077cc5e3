# Peer values for OUTPUT: STANDARDIZED (issue 7): lavaan's standardizedSolution() on two single-level
# models fitted by ML, written to fixtures/peers/standardized_lavaan.json.
#   Rscript bench/peers/standardized_lavaan.R [--data DIR] [--out DIR] [--time]
#
# mimic: mplus-ug/ex9.6.dat (y1-y4 x1 x2 w clus) analysed as single-level data (clus, w ignored):
#   f BY y1-y4; f ON x1 x2; y1 WITH y2;  (Mplus defaults: first loading 1, intercepts, residual variances)
# reg:   mplus-ug/ex3.1.dat: y1 ON x1 x3.
# twolevel_ri: mplus-ug/ex9.1a.dat (y x w xm clus), TYPE = TWOLEVEL random-intercept regression
#   %WITHIN% y ON x; %BETWEEN% y ON w; standardized per level by lavaan (level: 1 / level: 2). lavaan's
#   two-level standard errors differ from the observed-information ones (its unstandardized SEs already
#   differ by up to 20 %), so this model also gets delta-method SEs computed here from the exact two-level
#   log-likelihood of common.R (observed information by numDeriv) and the closed-form standardization:
#   within var(y) = b_x^2 var(x) + s2, between var(y) = b_w^2 var_B(w) + tau, var(x) over all rows and
#   var_B(w) over the clusters (divisor n and number of clusters, as lavaan).
# knownclass: mplus-ug/ex9.6.dat, groups g = (w > 0): a two-group CFA f BY y1-y4 with every parameter
#   group-specific (factor mean 0): plusmix's TYPE = MIXTURE with KNOWNCLASS = c (g = 0 g = 1) and
#   class-specific loadings, intercepts and variances is the same model, standardized per class.
# Mplus's STDYX / STDY / STD are lavaan's std.all / std.nox / std.lv (lavaan defaults cov.std = TRUE:
# residual covariances are scaled by the residual variances, as Mplus does). Standard errors are lavaan's
# delta-method SEs based on the OBSERVED information (information = "observed", what Mplus and plusmix
# use for ML). Exogenous covariates are fixed (fixed.x = TRUE): their sample variances (divisor n)
# standardize the ON coefficients, as in Mplus. R-square: lavaan's inspect(fit, "r2") (no SE).
get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))

opt <- peer_args()
d96 <- peer_read(opt, "mplus-ug/ex9.6.dat", c("y1", "y2", "y3", "y4", "x1", "x2", "w", "clus"))
d31 <- peer_read(opt, "mplus-ug/ex3.1.dat", c("y1", "x1", "x3"))
models <- list(
  mimic = list(data = d96, syntax = "f =~ y1 + y2 + y3 + y4\nf ~ x1 + x2\ny1 ~~ y2"),
  reg = list(data = d31, syntax = "y1 ~ x1 + x3"),
  twolevel_ri = list(data = peer_read(opt, "mplus-ug/ex9.1a.dat", c("y", "x", "w", "xm", "clus")),
                     syntax = "level: 1\n y ~ x\nlevel: 2\n y ~ w", cluster = "clus"),
  knownclass = list(data = transform(d96, g = as.integer(w > 0)), syntax = "f =~ y1 + y2 + y3 + y4", group = "g")
)
fit_one <- function(m) {
  if (!is.null(m$group)) return(sem(m$syntax, data = m$data, group = m$group, estimator = "ML", meanstructure = TRUE, information = "observed"))
  if (is.null(m$cluster)) return(sem(m$syntax, data = m$data, estimator = "ML", meanstructure = TRUE, information = "observed", fixed.x = TRUE))
  sem(m$syntax, data = m$data, cluster = m$cluster, estimator = "ML", information = "observed", fixed.x = TRUE)
}

if (opt$time) {
  t <- peer_timed(lapply(models, fit_one))
  peer_time_report(names(models), t)
  quit(status = 0L)
}

# lavaan row -> Mplus block and name (upper case), e.g. "F BY" / "Y1", "F ON" / "X1", "Y2 WITH" / "Y1"
mplus_row <- function(r, fit) {
  ov <- lavNames(fit, "ov.nox")
  lv <- lavNames(fit, "lv")
  endo <- c(lavNames(fit, "ov.nox"), lavNames(fit, "lv.y"))
  up <- toupper
  if (r$op == "=~") return(c(paste(up(r$lhs), "BY"), up(r$rhs)))
  if (r$op == "~") return(c(paste(up(r$lhs), "ON"), up(r$rhs)))
  if (r$op == "~~" && r$lhs != r$rhs) return(c(paste(up(r$rhs), "WITH"), up(r$lhs)))
  if (r$op == "~~") return(c(if (r$lhs %in% endo) "Residual Variances" else "Variances", up(r$lhs)))
  if (r$op == "~1") return(c(if (r$lhs %in% endo) "Intercepts" else "Means", up(r$lhs)))
  NULL
}

# delta-method SEs of the standardized two-level random-intercept model from the exact log-likelihood
twolevel_delta <- function(d) {
  X <- cbind(1, d$x, d$w)
  L <- lmm_loglik_factory(d$y, X, matrix(1, nrow(d), 1), d$clus)
  start <- c(coef(lm(y ~ x + w, data = d)), 0.5, 1)
  o <- optim(start, function(t) -L$loglik(t), method = "BFGS", control = list(maxit = 2000, reltol = 1e-14))
  o <- optim(o$par, function(t) -L$loglik(t), method = "BFGS", control = list(maxit = 2000, reltol = 1e-15))
  th <- o$par                                   # alpha, b_x, b_w, tau, s2
  V <- solve(-numDeriv::hessian(L$loglik, th))
  vx <- mean((d$x - mean(d$x))^2)
  wb <- tapply(d$w, d$clus, function(v) v[1]); vw <- mean((wb - mean(wb))^2)
  std <- function(t) {
    vyw <- t[2]^2 * vx + t[5]; vyb <- t[3]^2 * vw + t[4]
    c(within_on_x = t[2] * sqrt(vx / vyw), within_resvar = t[5] / vyw,
      between_on_w = t[3] * sqrt(vw / vyb), between_intercept = t[1] / sqrt(vyb), between_resvar = t[4] / vyb,
      stdy_within_on_x = t[2] / sqrt(vyw), stdy_between_on_w = t[3] / sqrt(vyb))
  }
  J <- numDeriv::jacobian(std, th)
  se <- sqrt(diag(J %*% V %*% t(J)))
  est <- std(th)
  list(loglik = L$loglik(th), est = as.list(est), se = as.list(setNames(se, names(est))))
}

out <- list(versions = peer_versions(c("lavaan", "numDeriv")), note = "STDYX = std.all, STDY = std.nox, STD = std.lv; delta-method SEs, observed information")
for (nm in names(models)) {
  t <- peer_timed(fit_one(models[[nm]]))
  fit <- t$value
  res <- list(call = models[[nm]]$syntax, loglik = as.numeric(logLik(fit)), npar = fitMeasures(fit, "npar")[[1]], nobs = nobs(fit))
  for (type in c("std.all", "std.nox", "std.lv")) {
    s <- standardizedSolution(fit, type = type)
    pt <- parTable(fit)
    # two-level fits: the level of each row (standardizedSolution follows the parameter table's order)
    if (!is.null(pt$level) && nrow(pt) == nrow(s) && all(pt$lhs == s$lhs & pt$op == s$op & pt$rhs == s$rhs)) s$level <- pt$level
    rows <- list()
    for (i in seq_len(nrow(s))) {
      k <- mplus_row(s[i, ], fit)
      if (!is.null(s$level) && !is.null(k)) k <- c(k, c("within", "between")[s$level[i]])
      if (is.null(k)) next
      # fixed covariate moments (x ~~ x, x ~1) are not Mplus parameters
      if (s$lhs[i] %in% lavNames(fit, "ov.x") && s$op[i] %in% c("~~", "~1")) next
      if (s$op[i] == "~1" && s$est.std[i] == 0 && s$se[i] == 0) next   # fixed within intercept, not printed by Mplus
      rows[[length(rows) + 1L]] <- list(block = k[1], name = k[2], level = if (length(k) > 2) k[3] else NULL,
                                        class = if (!is.null(s$group)) as.character(s$group[i]) else NULL, est = s$est.std[i], se = s$se[i])
    }
    res[[c(std.all = "stdyx", std.nox = "stdy", std.lv = "std")[[type]]]] <- rows
  }
  r2 <- inspect(fit, "r2")
  if (is.list(r2) && !is.null(models[[nm]]$group)) r2 <- setNames(unlist(r2), paste0("class", rep(seq_along(r2), lengths(r2)), ".", toupper(unlist(lapply(r2, names)))))
  else if (is.list(r2)) r2 <- setNames(unlist(r2), paste0(c("within", "between"), ".", toupper(unlist(lapply(r2, names))))) else names(r2) <- toupper(names(r2))
  res$r_square <- as.list(r2)
  if (nm == "twolevel_ri") res$delta_observed <- twolevel_delta(models[[nm]]$data)
  unst <- parameterEstimates(fit)
  res$unstandardized <- lapply(seq_len(nrow(unst)), function(i) {
    k <- mplus_row(unst[i, ], fit)
    if (is.null(k) || (unst$lhs[i] %in% lavNames(fit, "ov.x") && unst$op[i] %in% c("~~", "~1"))) return(NULL)
    list(block = k[1], name = k[2], est = unst$est[i], se = unst$se[i])
  })
  res$unstandardized <- Filter(Negate(is.null), res$unstandardized)
  res$elapsed <- t$elapsed
  out[[nm]] <- res
}
peer_write(opt, "standardized_lavaan.json", out)
