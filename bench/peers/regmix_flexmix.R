# Peer fits for the regression mixture of issue 4 (first seed paper, section 2.1): flexmix on
# sim/regmix_n10000.dat (columns y x trueclass).
#   Rscript bench/peers/regmix_flexmix.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/regmix_flexmix.json
# --time runs only the class-invariant-variance fit, tight tolerance (Mplus's default model; `bench/mixture`).
#
# Two classes, y ~ x within each class, class membership multinomial-logit on x (FLXPmultinom(~ x)),
# 10 random starts (stepFlexmix nrep = 10, seed 20261122), EM run to tight convergence
# (control = list(tolerance = 1e-10, iter.max = 10000); flexmix's default tolerance 1e-6 stops early,
# at -18138.029 / -18138.041, which the JSON also records for the class-invariant model):
#   class_varying_variance:   FLXMRglm(family = "gaussian")                  8 parameters
#   class_invariant_variance: FLXMRglmfix(family = "gaussian", varFix = TRUE)  7 parameters
#
# flexmix's M step divides the weighted residual sum of squares by (n - rank) instead of the sum of the
# weights, so its residual variances (and log-likelihood) are slightly off the ML optimum. The script
# therefore also maximises the exact mixture log-likelihood (independent code below, BFGS started at
# flexmix's solution) and reports that maximum, the ML estimates in Mplus's parameterisation (class 1 =
# the class with the higher intercept, class 2 = logit reference: [c#1] and c#1 ON x are log(P1/P2)),
# and their standard errors: ML (inverse observed information, numDeriv Hessian) and MLR (sandwich with
# per-person scores, Mplus's default for TYPE = MIXTURE).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(flexmix); library(numDeriv) })

opt <- peer_args()
d <- peer_read(opt, "sim/regmix_n10000.dat", c("y", "x", "trueclass"))
stopifnot(nrow(d) == 10000L)
seed <- 20261122L

calls <- list(
  class_varying_variance = paste("stepFlexmix(y ~ x, data = d, k = 2, nrep = 10,",
                                 "model = FLXMRglm(family = 'gaussian'), concomitant = FLXPmultinom(~ x),",
                                 "control = list(tolerance = 1e-10, iter.max = 10000))"),
  class_invariant_variance = paste("stepFlexmix(y ~ x, data = d, k = 2, nrep = 10,",
                                   "model = FLXMRglmfix(family = 'gaussian', varFix = TRUE), concomitant = FLXPmultinom(~ x),",
                                   "control = list(tolerance = 1e-10, iter.max = 10000))")
)
fit <- function(which, tight = TRUE) {
  set.seed(seed)
  model <- if (which == "class_varying_variance") FLXMRglm(family = "gaussian")
           else FLXMRglmfix(family = "gaussian", varFix = TRUE)
  control <- if (tight) list(tolerance = 1e-10, iter.max = 10000) else list()
  suppressMessages(stepFlexmix(y ~ x, data = d, k = 2, nrep = 10, model = model,
                               concomitant = FLXPmultinom(~ x), control = control, verbose = FALSE))
}

if (opt$time) {
  t <- peer_timed(fit("class_invariant_variance"))
  peer_time_report("class_invariant_variance (10 starts)", t)
  quit(status = 0L)
}

# Exact log-likelihood, Mplus parameterisation:
# theta = (int1, slope1, int2, slope2, var1, var2 [or one var], a, b), logit P(c = 1 | x) = a + b x.
make_loglik <- function(equal_var) {
  per_person <- function(th) {
    v1 <- th[5]
    v2 <- if (equal_var) th[5] else th[6]
    ab <- if (equal_var) th[6:7] else th[7:8]
    eta <- ab[1] + ab[2] * d$x
    lp1 <- -log1p(exp(-eta))                          # log P(c = 1)
    lp2 <- -log1p(exp(eta))                           # log P(c = 2)
    l1 <- lp1 + dnorm(d$y, th[1] + th[2] * d$x, sqrt(v1), log = TRUE)
    l2 <- lp2 + dnorm(d$y, th[3] + th[4] * d$x, sqrt(v2), log = TRUE)
    mx <- pmax(l1, l2)
    mx + log(exp(l1 - mx) + exp(l2 - mx))
  }
  list(per_person = per_person, total = function(th) sum(per_person(th)))
}

describe <- function(which) {
  t <- peer_timed(fit(which))
  m <- t$value
  ll_flexmix <- as.numeric(logLik(m))
  npar <- attr(logLik(m), "df")
  comp <- parameters(m)                               # rows: coef.(Intercept), coef.x, sigma
  conc <- parameters(m, which = "concomitant")        # columns: comp 1 (0, reference), comp 2
  k1 <- which.max(comp["coef.(Intercept)", ])         # Mplus class 1 = high-intercept class
  k2 <- 3L - k1
  # flexmix: log(P(k)/P(1)) = conc[, k]; Mplus: log(P(class 1)/P(class 2)) = conc[, k1] - conc[, k2]
  ab <- conc[, k1] - conc[, k2]
  equal_var <- which == "class_invariant_variance"
  sig2 <- comp["sigma", ]^2
  th0 <- c(comp[1, k1], comp[2, k1], comp[1, k2], comp[2, k2],
           if (equal_var) sig2[1] else sig2[c(k1, k2)], ab)
  nm <- c("class1.intercept", "class1.y_on_x", "class2.intercept", "class2.y_on_x",
          if (equal_var) "residual_variance" else c("class1.residual_variance", "class2.residual_variance"),
          "c#1.intercept", "c#1_on_x")
  L <- make_loglik(equal_var)
  # optimise with log variances (keeps them positive), then go back to variances
  iv <- grep("variance", nm)
  to_nat <- function(u) { u[iv] <- exp(u[iv]); u }
  u0 <- th0
  u0[iv] <- log(u0[iv])
  o <- optim(u0, function(u) -L$total(to_nat(u)), method = "BFGS",
             control = list(reltol = 1e-15, maxit = 1000, parscale = pmax(abs(u0), 0.1)))
  th <- setNames(to_nat(o$par), nm)
  for (i in 1:2) th <- th - solve(numDeriv::hessian(L$total, th), numDeriv::grad(L$total, th))  # Newton polish
  H <- numDeriv::hessian(L$total, th)
  Hinv <- solve(-H)
  S <- numDeriv::jacobian(L$per_person, th)           # n x p per-person scores
  se_ml <- setNames(sqrt(diag(Hinv)), nm)
  se_mlr <- setNames(sqrt(diag(Hinv %*% crossprod(S) %*% Hinv)), nm)
  out <- est_se(th, se_ml)
  for (n in nm) out[[n]]$se_mlr <- unname(se_mlr[[n]])
  list(
    call = calls[[which]], seed = seed,
    loglik = ll_flexmix, npar = npar, nobs = nrow(d),
    AIC = -2 * ll_flexmix + 2 * npar, BIC = -2 * ll_flexmix + log(nrow(d)) * npar,
    flexmix_parameters = list(components = comp, concomitant = conc),
    iterations = m@iter,
    loglik_ml_maximum = L$total(th),
    max_abs_gradient_at_ml = max(abs(colSums(S))),
    estimates_ml = out,
    class_sizes_most_likely = as.list(table(factor(clusters(m), levels = c(k1, k2), labels = c("class1", "class2")))),
    elapsed = t$elapsed
  )
}

res <- list(
  package = "flexmix", versions = peer_versions(c("flexmix", "numDeriv")),
  data = "sim/regmix_n10000.dat",
  note = paste("loglik/npar/AIC/BIC/elapsed: flexmix as it stops (10 starts; elapsed = the whole stepFlexmix call).",
               "loglik_ml_maximum and estimates_ml: the exact ML maximum polished from flexmix's solution",
               "(flexmix's variance uses n - rank, not the ML divisor); se = inverse observed information,",
               "se_mlr = sandwich with per-person scores. Mplus parameterisation, class 1 = high intercept."),
  models = list()
)
t_default <- peer_timed(fit("class_invariant_variance", tight = FALSE))
res$flexmix_default_tolerance <- list(
  model = "class_invariant_variance, control = list() (tolerance 1e-6)",
  loglik = as.numeric(logLik(t_default$value)), iterations = t_default$value@iter, elapsed = t_default$elapsed)
for (w in names(calls)) {
  r <- describe(w)
  res$models[[w]] <- r
  cat(sprintf("%s: flexmix loglik %.4f, %d params, %.2f s; exact ML maximum %.4f\n", w, r$loglik, r$npar,
              r$elapsed, r$loglik_ml_maximum))
}
peer_write(opt, "regmix_flexmix.json", res)
