# Peer fits for issue 5 (TYPE = TWOLEVEL / TWOLEVEL RANDOM): lme4 ML fits on High School and Beyond.
#   Rscript bench/peers/hsb_lme4.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/hsb_lme4.json
# --time fits only m3 (the `bench/twolevel` comparison) with lme4's default optimizer.
#
# Models (REML = FALSE, i.e. ML as Mplus):
#   m1 mathach ~ 1 + (1 | school)
#   m2 mathach ~ female + ses + meanses + sector + (1 + female + ses | school)
#   m3 mathach ~ (female + ses_c) * (sector + meanses_c + pracad_c) + (1 + female + ses_c | school)
#      with _c = centred at the mean over all 7185 rows (what Mplus's GRANDMEAN does for a
#      between-level variable, which it weights by cluster size).
#
# Standard errors: fixed effects from lme4 (vcov: inverse of X'V^-1 X at the ML variance components).
# lme4 gives no SEs for variance components, so the script also evaluates the exact ML log-likelihood
# independently (lmm_loglik_factory in common.R, per-cluster multivariate normal), checks it equals
# lme4's logLik, and gives SEs of ALL parameters (fixed effects, random-effect variances/covariances,
# residual variance; Mplus's parameterisation) from the observed information = minus the numerical
# Hessian (numDeriv, Richardson extrapolation) of that log-likelihood at lme4's estimates, from the
# expected information, and MLR (sandwich with per-school scores, Mplus's TWOLEVEL default).
# Observed and expected information differ for some fixed effects (m2 sector: 0.345 vs 0.291).
# It also reports the maximum reached without lme4's bound that the random-effect covariance matrix be
# positive semi-definite (m3's optimum is on that bound).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(lme4); library(numDeriv) })

opt <- peer_args()
hsb <- peer_read(opt, "hsb/hsb.dat", c("school", "minority", "female", "ses", "mathach", "meanses",
                                       "sector", "size", "pracad", "disclim", "himinty"))
stopifnot(nrow(hsb) == 7185L, length(unique(hsb$school)) == 160L)
centres <- c(ses = mean(hsb$ses), meanses = mean(hsb$meanses), pracad = mean(hsb$pracad))
hsb$ses_c <- hsb$ses - centres[["ses"]]
hsb$meanses_c <- hsb$meanses - centres[["meanses"]]
hsb$pracad_c <- hsb$pracad - centres[["pracad"]]

forms <- list(
  m1 = mathach ~ 1 + (1 | school),
  m2 = mathach ~ female + ses + meanses + sector + (1 + female + ses | school),
  m3 = mathach ~ (female + ses_c) * (sector + meanses_c + pracad_c) + (1 + female + ses_c | school)
)
# lme4's optimizers do not all reach the maximum: on m2 bobyqa stops at a singular fit (-23309.558) and
# nloptwrap (the default) at -23242.208, while Nelder_Mead and nlminbwrap reach -23240.856. So every model
# is fitted with each optimizer and the best log-likelihood is kept (all are recorded in the JSON).
optimizers <- c("nloptwrap", "bobyqa", "Nelder_Mead", "nlminbwrap")
fit <- function(f, optimizer) {
  optCtrl <- if (optimizer %in% c("bobyqa", "Nelder_Mead")) list(maxfun = 1e5) else list()
  suppressMessages(lmer(f, data = hsb, REML = FALSE, control = lmerControl(optimizer = optimizer, optCtrl = optCtrl)))
}
call_text <- function(name, optimizer) {
  ctl <- if (optimizer %in% c("bobyqa", "Nelder_Mead")) ", optCtrl = list(maxfun = 1e5)" else ""
  sprintf("lmer(%s, data = hsb, REML = FALSE, control = lmerControl(optimizer = '%s'%s))",
          paste(deparse(forms[[name]]), collapse = ""), optimizer, ctl)
}

if (opt$time) {
  # lme4's default optimizer (nloptwrap), which reaches the m3 maximum (-23214.496).
  t <- peer_timed(suppressMessages(lmer(forms$m3, data = hsb, REML = FALSE)))
  peer_time_report("m3", t)
  quit(status = 0L)
}

describe <- function(name) {
  runs <- lapply(optimizers, function(o) peer_timed(fit(forms[[name]], o)))
  lls <- sapply(runs, function(r) as.numeric(logLik(r$value)))
  best <- which.max(lls)
  m <- runs[[best]]$value
  ll <- lls[best]
  npar <- attr(logLik(m), "df")
  beta <- fixef(m)
  vc <- VarCorr(m)$school
  Tau <- matrix(as.numeric(vc), nrow(vc), dimnames = dimnames(vc))
  sigma2 <- sigma(m)^2
  X <- getME(m, "X")
  Z <- model.matrix(as.formula(paste("~", deparse(findbars(forms[[name]])[[1]][[2]]))), hsb)
  L <- lmm_loglik_factory(hsb$mathach, X, Z, hsb$school)
  theta <- L$pack(beta, Tau, sigma2)
  ll_own <- L$loglik(theta)
  nm <- c(names(beta), L$vc_names(colnames(Z), "residual"))
  est <- lmm_estimates(L, theta, nm, sqrt(diag(as.matrix(vcov(m)))))
  # lme4 keeps the random-effect covariance matrix positive semi-definite. Without that bound (Tau may
  # be indefinite as long as every cluster's V stays positive definite) the likelihood can go higher:
  # maximise the independent log-likelihood freely from lme4's solution (BFGS, restarted once).
  free <- lmm_free_maximum(L, theta, nm)
  list(
    call = call_text(name, optimizers[best]),
    loglik = ll, npar = npar, nobs = nobs(m), nclusters = ngrps(m)[["school"]],
    AIC = AIC(m), BIC = BIC(m),
    loglik_by_optimizer = as.list(setNames(lls, optimizers)),
    loglik_check_independent = ll_own,
    tau_eigenvalues = eigen(Tau, only.values = TRUE)$values,
    singular = isSingular(m),
    fixed = est$fixed,
    varcomp = est$varcomp,
    unbounded_tau_maximum = free,
    elapsed = runs[[best]]$elapsed,
    elapsed_by_optimizer = as.list(setNames(sapply(runs, function(r) r$elapsed), optimizers))
  )
}

res <- list(
  package = "lme4", versions = peer_versions(c("lme4", "Matrix", "numDeriv")),
  data = "hsb/hsb.dat",
  centering = list(note = "_c variables centred at the mean over all 7185 rows", means = as.list(centres)),
  se_note = paste(
    "fixed$se: lme4's vcov() (inverse of X'V^-1X at the ML variance components, = se_expected).",
    "se_observed: sqrt(diag(inverse of minus the numDeriv Hessian)) of the exact ML log-likelihood in the",
    "parameterisation (fixed effects, random-effect variances and covariances, residual variance), all",
    "parameters jointly, at lme4's estimates; se_expected: inverse expected information (block diagonal);",
    "se_mlr: sandwich A^-1 B A^-1, B from per-school scores (no G/(G-1) factor).",
    "Independent code in bench/peers/common.R. Variance names: var(a), cov(a,b), residual."),
  models = list()
)
for (name in names(forms)) {
  res$models[[name]] <- describe(name)
  r <- res$models[[name]]
  cat(sprintf("%s: loglik %.4f (independent %.4f; by optimizer %s), %d params, %.2f s; unbounded Tau: %.4f\n",
              name, r$loglik, r$loglik_check_independent, paste(sprintf("%.3f", unlist(r$loglik_by_optimizer)), collapse = " "),
              r$npar, r$elapsed, r$unbounded_tau_maximum$loglik))
}
peer_write(opt, "hsb_lme4.json", res)
