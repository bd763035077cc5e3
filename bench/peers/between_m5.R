# Peer fits for a between-level class variable with a random intercept (second seed paper, section 5,
# Table 3 Model 5) on sim/between_m5.dat (100 clusters x 10, as in the paper) and
# sim/between_m5_large.dat (300 x 10, for recovery tests); columns y x cluster trueclass.
#   Rscript bench/peers/between_m5.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/between_m5.json
# --time fits only between_m5_large.
#
# Model: cluster j is in class cb_j = m (P(cb = 1) = pi_1); y_ij = mu_m + u_j + beta_m x_ij + e_ij,
# u_j ~ N(0, v) (class-invariant between variance), e_ij ~ N(0, theta) (class-invariant):
# 7 parameters. Mplus inputs: fixtures/inputs/between_m5.inp, between_m5_large.inp.
# No R package fits a mixture of linear mixed models with a cluster-level class (flexmix's FLXMRlmm
# assumes class-specific random-effect variances and is fitted by its own EM), so the peer is the exact
# closed-form marginal likelihood (bench/peers/between_common.R model_m5: per cluster, the two-class
# mixture of N(mu_m 1 + beta_m x_j, theta I + v 11') densities) maximised with optim (BFGS, 20 random
# starts, Newton polish); se = inverse observed information (numDeriv Hessian), se_mlr = MLR sandwich
# with per-cluster scores. The likelihood code is checked against lme4: with both classes equal it must
# equal lmer(y ~ x + (1 | cluster), REML = FALSE)'s log-likelihood at lme4's estimates
# (`lme4_check`). Mplus parameterisation: class 1 = higher intercept, [cb#1] = log(pi_1 / pi_2).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
source(file.path(get_script_dir(), "between_common.R"))
suppressPackageStartupMessages(library(lme4))

opt <- peer_args()
names5 <- c("y", "x", "cluster", "trueclass")
sets <- list(between_m5 = list(file = "sim/between_m5.dat", J = 100L, seed = 20261131L),
             between_m5_large = list(file = "sim/between_m5_large.dat", J = 300L, seed = 20261132L))
nstarts <- 20L

if (opt$time) {
  s <- sets$between_m5_large
  d <- peer_read(opt, s$file, names5)
  t <- peer_timed(fit_ml(model_m5(d), nstarts, s$seed))
  peer_time_report("between_m5_large closed form (20 starts)", t)
  quit(status = 0L)
}

mplus_model <- paste(c(
  "MODEL:", "  %WITHIN%", "  %OVERALL%", "  y ON x;", "  %cb#1%", "  y ON x;", "  %cb#2%", "  y ON x;",
  "  %BETWEEN%", "  %OVERALL%", "  y;", "  %cb#1%", "  [y];", "  %cb#2%", "  [y];"), collapse = "\n")
spec <- list(P("%BETWEEN% %cb#1% [y]", "between", "cb#1", "Means", "Y", 1),
             P("%WITHIN% %cb#1% y ON x", "within", "cb#1", "Y ON", "X", 0.2),
             P("%BETWEEN% %cb#2% [y]", "between", "cb#2", "Means", "Y", 0),
             P("%WITHIN% %cb#2% y ON x", "within", "cb#2", "Y ON", "X", 0.8),
             P("%WITHIN% %OVERALL% y", "within", NA, "Residual Variances", "Y", 1),
             P("%BETWEEN% %OVERALL% y", "between", NA, "Variances", "Y", 0.2),
             P("[cb#1]", NA, NA, "Means", "CB#1", 0, latent = TRUE))

describe <- function(name, s) {
  d <- peer_read(opt, s$file, names5)
  stopifnot(length(unique(d$cluster)) == s$J)
  M <- model_m5(d)
  t <- peer_timed(fit_ml(M, nstarts, s$seed))
  f <- t$value
  ses <- ml_ses(M, f$theta)
  npar <- length(f$theta)
  # independent check of the likelihood code: one class (both classes equal) = lme4's random-intercept model
  l1 <- lmer(y ~ x + (1 | cluster), data = d, REML = FALSE)
  fe <- fixef(l1)
  th1 <- c(fe[1], fe[2], fe[1], fe[2], sigma(l1)^2, as.numeric(VarCorr(l1)$cluster), 0)
  truth_cb <- d$trueclass[!duplicated(d$cluster)][order(unique(d$cluster))]
  list(
    data = s$file,
    model = paste("two-level mixture, between-level class cb (2 classes) and a random intercept of y;",
                  "within cb = m: y = [y]_m + u + b_m x + e, Var(u) and Var(e) equal across classes"),
    mplus_input = paste0("fixtures/inputs/", name, ".inp"),
    mplus_model = mplus_model,
    method = sprintf(paste("exact closed-form marginal log-likelihood (bench/peers/between_common.R model_m5),",
                           "optim BFGS from %d random starts (set.seed(%d)), Newton polish"), nstarts, s$seed),
    loglik = f$loglik, npar = npar, nobs = nrow(d), nclusters = s$J,
    information_criteria = ic(f$loglik, npar, nrow(d)),
    starts = f$nstarts, starts_at_best = f$starts_at_best, loglik_by_start = f$loglik_by_start,
    max_abs_gradient = ses$max_abs_gradient,
    estimates = mplus_estimates(f$theta, ses, spec),
    classes = between_classes(M$posterior1(f$theta), truth_cb),
    elapsed = t$elapsed,
    lme4_check = list(call = "lmer(y ~ x + (1 | cluster), data = d, REML = FALSE)",
                      loglik_lme4 = as.numeric(logLik(l1)),
                      loglik_closed_form_one_class = sum(M$per_cluster(th1)),
                      npar = attr(logLik(l1), "df"))
  )
}

res <- list(
  package = "R (optim, numDeriv); lme4 for the one-class likelihood check",
  versions = peer_versions(c("numDeriv", "lme4")),
  note = paste("loglik / npar / estimates: the exact ML maximum (closed form). se = inverse observed information",
               "(numDeriv Hessian), se_mlr = sandwich with per-cluster scores (Mplus's MLR). Class 1 = higher",
               "intercept; [cb#1] = log(P(cb=1)/P(cb=2)). Estimates are keyed by the MODEL statement that frees",
               "them; class = null: equal across classes (printed in every class); level / class = null for the",
               "Categorical Latent Variables rows. truth = generating value. The paper's Table 3 (its own",
               "100 x 10 sample): loglik -1517.6, mu 0.90 / 0.13, beta 0.25 / 0.81, theta 1.01, v 0.22."),
  models = list()
)
for (nme in names(sets)) {
  r <- describe(nme, sets[[nme]])
  res$models[[nme]] <- r
  cat(sprintf("%s: loglik %.4f (%d params, %d/%d starts), %.2f s; lme4 one-class check %.6f vs %.6f\n", nme,
              r$loglik, r$npar, r$starts_at_best, r$starts, r$elapsed, r$lme4_check$loglik_lme4,
              r$lme4_check$loglik_closed_form_one_class))
}
peer_write(opt, "between_m5.json", res)
