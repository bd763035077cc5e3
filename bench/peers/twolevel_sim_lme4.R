# Peer fits of the conventional two-level random-slope model on the simulated two-level data (issue 6:
# the two-class mixture must beat this BIC on twolevel_regmix.dat and lose to it on twolevel_conventional.dat).
#   Rscript bench/peers/twolevel_sim_lme4.R [--data DIR] [--out DIR] [--time]
#     -> fixtures/peers/twolevel_sim_lme4.json
#
# lme4, ML: y ~ x * w + (1 + x | cluster) on sim/twolevel_regmix.dat (y x w cluster trueclass) and
# sim/twolevel_conventional.dat (y x w cluster): 4 fixed + 3 random-effect (co)variances + residual
# variance = 8 parameters. Mplus: %WITHIN% s | y ON x; %BETWEEN% y s ON w; y WITH s; (x within, w between).
# BIC = -2 logL + 8 log(3000) (individuals, as Mplus counts). Best of several lme4 optimizers is kept.
# SEs as in hsb_lme4.R (lme4's for fixed effects; observed information, expected information and MLR
# sandwich of common.R's independent exact log-likelihood for all parameters).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(lme4); library(numDeriv) })

opt <- peer_args()
sets <- list(
  twolevel_regmix = peer_read(opt, "sim/twolevel_regmix.dat", c("y", "x", "w", "cluster", "trueclass")),
  twolevel_conventional = peer_read(opt, "sim/twolevel_conventional.dat", c("y", "x", "w", "cluster"))
)
optimizers <- c("nloptwrap", "bobyqa", "Nelder_Mead", "nlminbwrap")
fit <- function(d, optimizer = "nloptwrap") {
  optCtrl <- if (optimizer %in% c("bobyqa", "Nelder_Mead")) list(maxfun = 1e5) else list()
  suppressMessages(lmer(y ~ x * w + (1 + x | cluster), data = d, REML = FALSE,
                        control = lmerControl(optimizer = optimizer, optCtrl = optCtrl)))
}

if (opt$time) {
  t <- peer_timed(for (d in sets) fit(d))
  peer_time_report(names(sets), t)
  quit(status = 0L)
}

describe <- function(d, file) {
  runs <- lapply(optimizers, function(o) peer_timed(fit(d, o)))
  lls <- sapply(runs, function(r) as.numeric(logLik(r$value)))
  best <- which.max(lls)
  m <- runs[[best]]$value
  ll <- lls[best]
  npar <- attr(logLik(m), "df")
  beta <- fixef(m)
  Tau <- matrix(as.numeric(VarCorr(m)$cluster), 2)
  Z <- model.matrix(~ 1 + x, d)
  L <- lmm_loglik_factory(d$y, getME(m, "X"), Z, d$cluster)
  theta <- L$pack(beta, Tau, sigma(m)^2)
  nm <- c(names(beta), L$vc_names(colnames(Z), "residual"))
  est <- lmm_estimates(L, theta, nm, sqrt(diag(as.matrix(vcov(m)))))
  list(
    data = file,
    call = sprintf("lmer(y ~ x * w + (1 + x | cluster), data = d, REML = FALSE, control = lmerControl(optimizer = '%s'))",
                   optimizers[best]),
    loglik = ll, npar = npar, nobs = nobs(m), nclusters = ngrps(m)[["cluster"]],
    AIC = -2 * ll + 2 * npar, BIC = -2 * ll + log(nrow(d)) * npar,
    aBIC = -2 * ll + log((nrow(d) + 2) / 24) * npar,
    loglik_by_optimizer = as.list(setNames(lls, optimizers)),
    loglik_check_independent = L$loglik(theta),
    fixed = est$fixed, varcomp = est$varcomp,
    elapsed = runs[[best]]$elapsed
  )
}

res <- list(package = "lme4", versions = peer_versions(c("lme4", "numDeriv")),
            se_note = paste("fixed$se: lme4's vcov(); se_observed / se_expected: observed / expected information of",
                            "the exact ML log-likelihood; se_mlr: sandwich with per-cluster scores (bench/peers/common.R). aBIC: sample-size adjusted BIC",
                            "(n* = (n + 2) / 24), as Mplus prints it."),
            models = list())
for (nme in names(sets)) {
  r <- describe(sets[[nme]], paste0("sim/", nme, ".dat"))
  res$models[[nme]] <- r
  cat(sprintf("%s: loglik %.4f (independent %.4f), %d params, BIC %.3f, %.2f s\n", nme, r$loglik,
              r$loglik_check_independent, r$npar, r$BIC, r$elapsed))
}
peer_write(opt, "twolevel_sim_lme4.json", res)
