# Peer fit for the latent profile analysis of issue 4: mclust on sim/lpa4.dat (y1-y4, trueclass unused).
#   Rscript bench/peers/lpa4_mclust.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/lpa4_mclust.json
#
# Model EEI (equal diagonal covariance matrices = Mplus's LPA default: class-varying means, class-invariant
# variances, no covariances), G = 2: 8 means + 4 variances + 1 proportion = 13 parameters.
# EM run to tight convergence, control = emControl(tol = c(1e-10, 1e-10)); mclust's default tolerance
# stops lower (recorded as loglik_default_tolerance).
# Estimates: mclust's, polished by two Newton steps on the exact log-likelihood (the gradient left by EM
# is ~0.004). Standard errors (mclust gives none): ML (inverse observed information, numDeriv Hessian) and MLR
# (sandwich with per-person scores, Mplus's MIXTURE default) of the exact log-likelihood, independent
# code below, in Mplus's parameterisation: class 1 = the class with the lower means, class 2 = logit
# reference, [c#1] = log(P1/P2).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(mclust); library(numDeriv) })

opt <- peer_args()
d <- peer_read(opt, "sim/lpa4.dat", c("y1", "y2", "y3", "y4", "trueclass"))
Y <- as.matrix(d[, 1:4])
call_text <- "Mclust(Y, G = 2, modelNames = 'EEI', control = emControl(tol = c(1e-10, 1e-10)))"
fit <- function(tol = c(1e-10, 1e-10)) Mclust(Y, G = 2, modelNames = "EEI", control = emControl(tol = tol), verbose = FALSE)

if (opt$time) {
  t <- peer_timed(fit())
  peer_time_report("EEI G=2", t)
  quit(status = 0L)
}

t <- peer_timed(fit())
m <- t$value
m_default <- fit(emControl()$tol)
mu <- m$parameters$mean                       # 4 x 2
v <- diag(m$parameters$variance$Sigma)        # common diagonal
pro <- m$parameters$pro
k1 <- which.min(colMeans(mu))
k2 <- 3L - k1

# theta = (means class 1 (4), means class 2 (4), variances (4), [c#1])
per_person <- function(th) {
  m1 <- th[1:4]; m2 <- th[5:8]; s2 <- th[9:12]; a <- th[13]
  l1 <- -log1p(exp(-a)) + rowSums(dnorm(Y, rep(m1, each = nrow(Y)), rep(sqrt(s2), each = nrow(Y)), log = TRUE))
  l2 <- -log1p(exp(a)) + rowSums(dnorm(Y, rep(m2, each = nrow(Y)), rep(sqrt(s2), each = nrow(Y)), log = TRUE))
  mx <- pmax(l1, l2)
  mx + log(exp(l1 - mx) + exp(l2 - mx))
}
total <- function(th) sum(per_person(th))
nm <- c(paste0("class1.mean.y", 1:4), paste0("class2.mean.y", 1:4), paste0("variance.y", 1:4), "c#1.intercept")
th_mclust <- setNames(c(mu[, k1], mu[, k2], v, log(pro[k1] / pro[k2])), nm)
# EM stops with a small gradient left; two Newton steps reach the exact maximum the estimates describe
th <- th_mclust
for (i in 1:2) th <- th - solve(numDeriv::hessian(total, th), numDeriv::grad(total, th))
H <- numDeriv::hessian(total, th)
Hinv <- solve(-H)
S <- numDeriv::jacobian(per_person, th)
se_ml <- sqrt(diag(Hinv))
se_mlr <- sqrt(diag(Hinv %*% crossprod(S) %*% Hinv))
est <- est_se(th, setNames(se_ml, nm))
for (i in seq_along(nm)) est[[nm[i]]]$se_mlr <- se_mlr[i]

res <- list(
  package = "mclust", versions = peer_versions(c("mclust", "numDeriv")),
  data = "sim/lpa4.dat",
  models = list(eei_g2 = list(
    call = call_text,
    loglik = m$loglik, npar = m$df, nobs = m$n,
    AIC = -2 * m$loglik + 2 * m$df, BIC = -2 * m$loglik + log(m$n) * m$df,
    loglik_default_tolerance = m_default$loglik,
    loglik_check_independent = total(th_mclust),
    max_abs_gradient_mclust = max(abs(numDeriv::grad(total, th_mclust))),
    loglik_ml_maximum = total(th),
    max_abs_gradient_ml = max(abs(colSums(S))),
    proportions = list(class1 = pro[k1], class2 = pro[k2]),
    estimates = est,
    se_note = paste("estimates: mclust's solution polished by two Newton steps to the exact maximum",
                    "(loglik_ml_maximum); se: inverse observed information (ML); se_mlr: sandwich with",
                    "per-person scores (MLR)"),
    elapsed = t$elapsed
  ))
)
cat(sprintf("EEI G=2: loglik %.4f (independent %.4f; default tolerance %.4f; ML maximum %.4f), %d params, %.2f s\n",
            m$loglik, total(th_mclust), m_default$loglik, total(th), m$df, t$elapsed))
peer_write(opt, "lpa4_mclust.json", res)
