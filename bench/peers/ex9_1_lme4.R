# Peer fit for Mplus User's Guide ex9.1 (two-level random-intercept regression), issue 5.
#   Rscript bench/peers/ex9_1_lme4.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/ex9_1_lme4.json
#
# Data mplus-ug/ex9.1a.dat, columns y x w xm clus; xm is the cluster mean of x supplied with the data.
# The guide's model: WITHIN = x; BETWEEN = w xm; %WITHIN% y ON x; %BETWEEN% y ON w xm;
# x is a within-only covariate (not split into parts), so the model is the random-intercept regression
#   y_ij = b0 + b1 x_ij + b2 w_j + b3 xm_j + u_j + e_ij,
# i.e. lme4 y ~ x + w + xm + (1 | clus) with ML: 4 fixed + 2 variances = 6 parameters (Mplus's count too,
# as covariates are not modelled). SEs as in hsb_lme4.R: lme4's for the fixed effects; observed
# information, expected information and MLR sandwich of common.R's exact log-likelihood for all.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(lme4); library(numDeriv) })

opt <- peer_args()
d <- peer_read(opt, "mplus-ug/ex9.1a.dat", c("y", "x", "w", "xm", "clus"))
call_text <- "lmer(y ~ x + w + xm + (1 | clus), data = d, REML = FALSE)"
fit <- function() lmer(y ~ x + w + xm + (1 | clus), data = d, REML = FALSE)

if (opt$time) {
  t <- peer_timed(fit())
  peer_time_report("ex9.1", t)
  quit(status = 0L)
}

t <- peer_timed(fit())
m <- t$value
beta <- fixef(m)
Tau <- matrix(as.numeric(VarCorr(m)$clus), 1)
L <- lmm_loglik_factory(d$y, getME(m, "X"), matrix(1, nrow(d), 1), d$clus)
theta <- L$pack(beta, Tau, sigma(m)^2)
nm <- c(names(beta), "var((Intercept))", "residual")
est <- lmm_estimates(L, theta, nm, sqrt(diag(as.matrix(vcov(m)))))

res <- list(
  package = "lme4", versions = peer_versions(c("lme4", "numDeriv")),
  data = "mplus-ug/ex9.1a.dat",
  models = list(ex9_1 = list(
    call = call_text,
    mplus_model = "WITHIN = x; BETWEEN = w xm; %WITHIN% y ON x; %BETWEEN% y ON w xm;",
    loglik = as.numeric(logLik(m)), npar = attr(logLik(m), "df"), nobs = nobs(m), nclusters = ngrps(m)[["clus"]],
    AIC = AIC(m), BIC = BIC(m),
    loglik_check_independent = L$loglik(theta),
    fixed = est$fixed,
    varcomp = est$varcomp,
    elapsed = t$elapsed
  ))
)
cat(sprintf("ex9.1: loglik %.4f (independent %.4f), %d params\n", res$models$ex9_1$loglik,
            res$models$ex9_1$loglik_check_independent, res$models$ex9_1$npar))
peer_write(opt, "ex9_1_lme4.json", res)
