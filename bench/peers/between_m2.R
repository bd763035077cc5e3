# Peer fits for a between-level class variable without random effects (second seed paper, section 5,
# Table 2 Model 2) on sim/between_m2.dat (columns y x cluster trueclass; 200 clusters x 10):
#   Rscript bench/peers/between_m2.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/between_m2.json
# --time runs only the closed-form fit of the class-invariant residual variance (Mplus's default model).
#
# Model: every person of cluster j is in the cluster's class cb_j (P(cb = 1) = pi_1); within class m
# y_ij = mu_m + beta_m x_ij + e_ij. Inputs fixtures/inputs/between_m2.inp (residual variance equal
# across classes, Mplus's default: 6 parameters) and between_m2_varying.inp (theta_m by class: 7).
#
# 1. flexmix with a grouping: stepFlexmix(y ~ x | cluster, k = 2, nrep = 10) - the `| cluster` makes all
#    rows of a cluster share one component, i.e. exactly this model. FLXMRglm (residual SD per class)
#    and FLXMRglmfix(varFix = TRUE) (one SD). flexmix's M step divides the residual sum of squares by
#    n - rank, so its maximum is slightly off ML (see README); tolerance 1e-10.
# 2. The exact log-likelihood in closed form (bench/peers/between_common.R: per cluster, the two-class
#    mixture of products of normal densities) maximised with optim (BFGS, 20 random starts, Newton
#    polish) for both variants; SEs from the numDeriv Hessian (se) and the MLR sandwich with
#    per-cluster scores (se_mlr). These are the ML numbers to compare with (they also confirm flexmix).
# Mplus parameterisation: between class 1 = the class with the higher intercept ([y] = 1 in the
# truth), class 2 = logit reference, [cb#1] = log(pi_1 / pi_2).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
source(file.path(get_script_dir(), "between_common.R"))
suppressPackageStartupMessages(library(flexmix))

opt <- peer_args()
d <- peer_read(opt, "sim/between_m2.dat", c("y", "x", "cluster", "trueclass"))
stopifnot(nrow(d) == 2000L, length(unique(d$cluster)) == 200L)
seed <- 20261130L
nstarts <- 20L
truth_cb <- d$trueclass[!duplicated(d$cluster)][order(unique(d$cluster))]

if (opt$time) {
  M <- model_m2(d, equal_var = TRUE)
  t <- peer_timed(fit_ml(M, nstarts, seed))
  peer_time_report("between_m2 closed form, equal residual variance (20 starts)", t)
  quit(status = 0L)
}

mplus_model <- function(equal_var) paste(c(
  "MODEL:", "  %WITHIN%", "  %OVERALL%", "  y ON x;",
  "  %cb#1%", "  y ON x;", if (!equal_var) "  y;", "  %cb#2%", "  y ON x;", if (!equal_var) "  y;",
  "  %BETWEEN%", "  %OVERALL%", "  y@0;", "  %cb#1%", "  [y];", "  %cb#2%", "  [y];"), collapse = "\n")

spec <- function(equal_var) c(
  list(P("%BETWEEN% %cb#1% [y]", "between", "cb#1", "Means", "Y", 1),
       P("%WITHIN% %cb#1% y ON x", "within", "cb#1", "Y ON", "X", 0.2),
       P("%BETWEEN% %cb#2% [y]", "between", "cb#2", "Means", "Y", 0),
       P("%WITHIN% %cb#2% y ON x", "within", "cb#2", "Y ON", "X", 0.8)),
  if (equal_var) list(P("%WITHIN% %OVERALL% y", "within", NA, "Residual Variances", "Y", 1))
  else list(P("%WITHIN% %cb#1% y", "within", "cb#1", "Residual Variances", "Y", 1),
            P("%WITHIN% %cb#2% y", "within", "cb#2", "Residual Variances", "Y", 1)),
  list(P("[cb#1]", NA, NA, "Means", "CB#1", 0, latent = TRUE)))

flexmix_fit <- function(equal_var) {
  set.seed(seed)
  model <- if (equal_var) FLXMRglmfix(family = "gaussian", varFix = TRUE) else FLXMRglm(family = "gaussian")
  suppressMessages(stepFlexmix(y ~ x | cluster, data = d, k = 2, nrep = 10, model = model,
                               control = list(tolerance = 1e-10, iter.max = 10000), verbose = FALSE))
}
flexmix_call <- function(equal_var) paste0(
  "stepFlexmix(y ~ x | cluster, data = d, k = 2, nrep = 10, model = ",
  if (equal_var) "FLXMRglmfix(family = 'gaussian', varFix = TRUE)" else "FLXMRglm(family = 'gaussian')",
  ", control = list(tolerance = 1e-10, iter.max = 10000))")

describe <- function(equal_var) {
  M <- model_m2(d, equal_var)
  # flexmix
  tf <- peer_timed(flexmix_fit(equal_var))
  m <- tf$value
  comp <- parameters(m)                                # rows coef.(Intercept), coef.x, sigma
  pri <- prior(m)
  k1 <- which.max(comp["coef.(Intercept)", ])
  k2 <- 3L - k1
  th_fx <- c(comp[1, k1], comp[2, k1], comp[1, k2], comp[2, k2],
             if (equal_var) comp["sigma", 1]^2 else comp["sigma", c(k1, k2)]^2, log(pri[k1] / pri[k2]))
  ll_fx <- as.numeric(logLik(m))
  # exact ML, closed form
  t <- peer_timed(fit_ml(M, nstarts, seed))
  f <- t$value
  ses <- ml_ses(M, f$theta)
  npar <- length(f$theta)
  sp <- spec(equal_var)
  list(
    model = paste("two-level mixture, between-level class cb (2 classes), no random effect;",
                  "within cb = m: y = [y]_m + b_m x + e,", if (equal_var) "Var(e) equal across classes"
                  else "Var(e) by class"),
    mplus_input = paste0("fixtures/inputs/", if (equal_var) "between_m2.inp" else "between_m2_varying.inp"),
    mplus_model = mplus_model(equal_var),
    method = sprintf(paste("exact closed-form log-likelihood (bench/peers/between_common.R model_m2), optim BFGS",
                           "from %d random starts (set.seed(%d)), Newton polish"), nstarts, seed),
    loglik = f$loglik, npar = npar, nobs = nrow(d), nclusters = length(unique(d$cluster)),
    information_criteria = ic(f$loglik, npar, nrow(d)),
    starts = f$nstarts, starts_at_best = f$starts_at_best, loglik_by_start = f$loglik_by_start,
    max_abs_gradient = ses$max_abs_gradient,
    estimates = mplus_estimates(f$theta, ses, sp),
    classes = between_classes(M$posterior1(f$theta), truth_cb),
    elapsed = t$elapsed,
    flexmix = list(
      call = flexmix_call(equal_var), seed = seed, loglik = ll_fx, npar = attr(logLik(m), "df"),
      iterations = m@iter, elapsed = tf$elapsed,
      # flexmix's estimates in the same order and parameterisation as `estimates`
      estimates = as.list(setNames(th_fx, sapply(sp, `[[`, "statement"))),
      loglik_closed_form_at_flexmix_estimates = sum(M$per_cluster(th_fx)))
  )
}

res <- list(
  package = "R (optim, numDeriv) + flexmix", versions = peer_versions(c("flexmix", "numDeriv")),
  data = "sim/between_m2.dat",
  note = paste("loglik / npar / estimates: the exact ML maximum (closed form). se = inverse observed information",
               "(numDeriv Hessian), se_mlr = sandwich with per-cluster scores (Mplus's MLR). flexmix: its own",
               "loglik as it stops (n - rank variance divisor) and the closed-form loglik at its estimates.",
               "Class 1 = higher intercept; [cb#1] = log(P(cb=1)/P(cb=2)). Estimates are keyed by the MODEL",
               "statement that frees them; class = null: equal across classes (printed in every class);",
               "level / class = null for the Categorical Latent Variables rows. truth = generating value."),
  models = list()
)
for (w in c("equal_residual_variance", "class_varying_residual_variance")) {
  r <- describe(w == "equal_residual_variance")
  res$models[[w]] <- r
  cat(sprintf("%s: ML %.4f (%d params, %d/%d starts), flexmix %.4f (closed form at flexmix %.4f), %.2f s\n",
              w, r$loglik, r$npar, r$starts_at_best, r$starts, r$flexmix$loglik,
              r$flexmix$loglik_closed_form_at_flexmix_estimates, r$elapsed))
}
peer_write(opt, "between_m2.json", res)
