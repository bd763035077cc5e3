# Peer fit for model 1c of issue 9: level-1 residual variance by school sector (Mplus: KNOWNCLASS on
# sector, residual variance class-specific), on the m2 structure of hsb_lme4.R.
#   Rscript bench/peers/hsb_nlme.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/hsb_nlme_1c.json
#
# nlme::lme, ML, unstructured 3x3 random-effect covariance, weights = varIdent(form = ~ 1 | sector):
# 5 fixed + 6 random-effect (co)variances + 2 residual variances = 13 parameters.
# Standard errors: fixed effects from nlme; all parameters also from the observed and the expected
# information and the MLR sandwich (per-school scores) of the independent exact log-likelihood of common.R, which is checked against nlme's logLik
# and maximised freely from nlme's solution (free_maximum) to confirm the optimum.
# Residual variances are reported per sector (sigma^2 * varIdent ratio^2).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(nlme); library(numDeriv) })

opt <- peer_args()
hsb <- peer_read(opt, "hsb/hsb.dat", c("school", "minority", "female", "ses", "mathach", "meanses",
                                       "sector", "size", "pracad", "disclim", "himinty"))
stopifnot(nrow(hsb) == 7185L)

call_text <- paste("lme(mathach ~ female + ses + meanses + sector, random = ~ 1 + female + ses | school,",
                   "weights = varIdent(form = ~ 1 | sector), data = hsb, method = 'ML',",
                   "control = lmeControl(maxIter = 500, msMaxIter = 500, niterEM = 100, tolerance = 1e-10))")
fit <- function() {
  lme(mathach ~ female + ses + meanses + sector, random = ~ 1 + female + ses | school,
      weights = varIdent(form = ~ 1 | sector), data = hsb, method = "ML",
      control = lmeControl(maxIter = 500, msMaxIter = 500, niterEM = 100, tolerance = 1e-10))
}

if (opt$time) {
  t <- peer_timed(fit())
  peer_time_report("m2_1c", t)
  quit(status = 0L)
}

t <- peer_timed(fit())
m <- t$value
ll <- as.numeric(logLik(m))
npar <- attr(logLik(m), "df")
beta <- fixef(m)
Tau <- as.matrix(getVarCov(m))
# varIdent: sd of group g = sigma * ratio_g, ratio 1 for the first level nlme met in the data
ratios <- coef(m$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
s2_by_sector <- (m$sigma * ratios)^2                 # names = sector levels as nlme labels them
sec <- as.character(sort(unique(hsb$sector)))        # "0" public, "1" Catholic
s2 <- s2_by_sector[sec]
X <- model.matrix(~ female + ses + meanses + sector, hsb)
Z <- model.matrix(~ 1 + female + ses, hsb)
L <- lmm_loglik_factory(hsb$mathach, X, Z, hsb$school, resgroup = hsb$sector + 1L)
theta <- L$pack(beta, Tau, s2)
ll_own <- L$loglik(theta)
nm <- c(names(beta), L$vc_names(colnames(Z), c("residual(sector=0)", "residual(sector=1)")))
est <- lmm_estimates(L, theta, nm, sqrt(diag(m$varFix)))

res <- list(
  package = "nlme", versions = peer_versions(c("nlme", "numDeriv")),
  data = "hsb/hsb.dat",
  se_note = paste(
    "fixed$se: nlme's standard errors. se_observed: sqrt(diag(inverse of minus the numDeriv Hessian)) of",
    "the exact ML log-likelihood (fixed effects, random-effect variances and covariances, residual",
    "variance per sector), all parameters jointly; se_expected: inverse expected information;",
    "se_mlr: sandwich with per-school scores.",
    "Independent code in bench/peers/common.R."),
  models = list(m2_1c = list(
    call = call_text,
    loglik = ll, npar = npar, nobs = nrow(hsb), nclusters = length(unique(hsb$school)),
    AIC = AIC(m), BIC = BIC(m),
    loglik_check_independent = ll_own,
    varident_ratios = as.list(ratios),
    max_abs_gradient = max(abs(numDeriv::grad(L$loglik, theta))),
    free_maximum = lmm_free_maximum(L, theta, nm),
    fixed = est$fixed,
    varcomp = est$varcomp,
    elapsed = t$elapsed
  ))
)
cat(sprintf("m2_1c: loglik %.4f (independent %.4f; free maximisation from there %.4f), %d params, %.2f s\n",
            ll, ll_own, res$models$m2_1c$free_maximum$loglik, npar, t$elapsed))
peer_write(opt, "hsb_nlme_1c.json", res)
