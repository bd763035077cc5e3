# Peer fit for a model with a between-level class variable cb AND a within-level class variable c
# (second seed paper, section 6, eq. 22-26, without random effects) on sim/between_within.dat
# (columns y x cluster truecb truec; 200 clusters x 10):
#   Rscript bench/peers/between_within.R [--data DIR] [--out DIR] [--time] -> fixtures/peers/between_within.json
# --time runs the same fit without writing.
#
# Model: cluster j is in class cb_j = m (P(cb = 1) = pi_1, [cb#1] = log(pi_1 / pi_2)); person i of the
# cluster is in class c_ij = k with logit P(c = 1 | cb = m) = [c#1] + (c#1 ON cb#1) 1{m = 1};
# y_ij | c = k: N(nu_k + beta_k x_ij, theta) (intercept and slope by the within class only, residual
# variance class-invariant): 8 parameters. Mplus input: fixtures/inputs/between_within.inp.
# No R package fits this model, so the peer is the exact closed-form likelihood
#   L_j = sum_m pi_m prod_i sum_k P(c = k | cb = m) f_k(y_ij)
# (bench/peers/between_common.R model_bw; checked against brute-force enumeration of all 2 x 2^10 class
# configurations of a few clusters, `brute_force_check`) maximised with optim (BFGS, 30 random starts,
# Newton polish); se = inverse observed information (numDeriv Hessian), se_mlr = MLR sandwich with
# per-cluster scores. Class order: within class 1 = higher intercept (nu = 2), between class 1 = the
# class with the higher P(c = 1 | cb) (0.8); class 2 is the logit reference of both.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
source(file.path(get_script_dir(), "between_common.R"))

opt <- peer_args()
d <- peer_read(opt, "sim/between_within.dat", c("y", "x", "cluster", "truecb", "truec"))
stopifnot(nrow(d) == 2000L, length(unique(d$cluster)) == 200L)
seed <- 20261133L
nstarts <- 30L
M <- model_bw(d)

if (opt$time) {
  t <- peer_timed(fit_ml(M, nstarts, seed))
  peer_time_report("between_within closed form (30 starts)", t)
  quit(status = 0L)
}

mplus_model <- paste(c(
  "MODEL:", "  %WITHIN%", "  %OVERALL%", "  y ON x;", "  %BETWEEN%", "  %OVERALL%", "  y@0;", "  c ON cb;",
  "MODEL c:", "  %WITHIN%", "  %c#1%", "  y ON x;", "  %c#2%", "  y ON x;",
  "  %BETWEEN%", "  %c#1%", "  [y];", "  %c#2%", "  [y];"), collapse = "\n")
spec <- list(P("MODEL c: %BETWEEN% %c#1% [y]", "between", "c#1", "Means", "Y", 2),
             P("MODEL c: %WITHIN% %c#1% y ON x", "within", "c#1", "Y ON", "X", 0.5),
             P("MODEL c: %BETWEEN% %c#2% [y]", "between", "c#2", "Means", "Y", -1),
             P("MODEL c: %WITHIN% %c#2% y ON x", "within", "c#2", "Y ON", "X", 1),
             P("%WITHIN% %OVERALL% y", "within", NA, "Residual Variances", "Y", 1),
             P("[cb#1]", NA, NA, "Means", "CB#1", 0, latent = TRUE),
             P("[c#1]", NA, NA, "Intercepts", "C#1", qlogis(0.3), latent = TRUE),
             P("c#1 ON cb#1", NA, NA, "C#1 ON", "CB#1", qlogis(0.8) - qlogis(0.3), latent = TRUE))

t <- peer_timed(fit_ml(M, nstarts, seed))
f <- t$value
th <- f$theta
ses <- ml_ses(M, th)
npar <- length(th)
cl_ids <- sort(unique(d$cluster))
truth_cb <- d$truecb[!duplicated(d$cluster)][order(unique(d$cluster))]
# within-class posterior P(c_ij = 1 | y_j) = sum_m P(cb = m | y_j) P(c_ij = 1 | y_ij, cb = m)
post_cb1 <- M$posterior1(th)[match(d$cluster, cl_ids)]
f1 <- dnorm(d$y, th[1] + th[2] * d$x, sqrt(th[5]))
f2 <- dnorm(d$y, th[3] + th[4] * d$x, sqrt(th[5]))
pc1 <- function(z) { p <- plogis(z); p * f1 / (p * f1 + (1 - p) * f2) }
post_c1 <- post_cb1 * pc1(th[7] + th[8]) + (1 - post_cb1) * pc1(th[7])
brute <- sapply(1:3, function(j) c(M$brute_cluster(th, j), M$per_cluster(th)[j]))

res <- list(
  package = "R (optim, numDeriv)", versions = peer_versions("numDeriv"),
  data = "sim/between_within.dat",
  note = paste("loglik / npar / estimates: the exact ML maximum (closed form). se = inverse observed information",
               "(numDeriv Hessian), se_mlr = sandwich with per-cluster scores (Mplus's MLR). Within class 1 = higher",
               "intercept, between class 1 = higher P(c = 1 | cb); [c#1] + c#1 ON cb#1 = logit P(c = 1 | cb = 1),",
               "[c#1] = logit P(c = 1 | cb = 2). Estimates are keyed by the MODEL statement that frees them; class =",
               "null: equal across classes; level / class = null for the Categorical Latent Variables rows.",
               "truth = generating value."),
  models = list(between_within = list(
    data = "sim/between_within.dat",
    model = paste("two-level mixture with a between-level class cb (2) and a within-level class c (2), c ON cb,",
                  "no random effect; within c = k: y = [y]_k + b_k x + e, Var(e) equal across classes;",
                  "[y] and y ON x do not depend on cb"),
    mplus_input = "fixtures/inputs/between_within.inp",
    mplus_model = mplus_model,
    method = sprintf(paste("exact closed-form log-likelihood (bench/peers/between_common.R model_bw), optim BFGS",
                           "from %d random starts (set.seed(%d)), Newton polish"), nstarts, seed),
    loglik = f$loglik, npar = npar, nobs = nrow(d), nclusters = length(cl_ids),
    information_criteria = ic(f$loglik, npar, nrow(d)),
    starts = f$nstarts, starts_at_best = f$starts_at_best, loglik_by_start = f$loglik_by_start,
    max_abs_gradient = ses$max_abs_gradient,
    estimates = mplus_estimates(th, ses, spec),
    derived = list(`P(cb=1)` = plogis(th[[6]]), `P(c=1|cb=1)` = plogis(th[[7]] + th[[8]]),
                   `P(c=1|cb=2)` = plogis(th[[7]])),
    classes = c(between_classes(M$posterior1(th), truth_cb),
                list(within_posterior_proportions = c(mean(post_c1), 1 - mean(post_c1)),
                     within_agreement_with_true_class = mean(ifelse(post_c1 >= 0.5, 1L, 2L) == d$truec))),
    brute_force_check = list(clusters = 1:3, loglik_enumeration = brute[1, ], loglik_closed_form = brute[2, ]),
    elapsed = t$elapsed
  ))
)
r <- res$models$between_within
cat(sprintf("between_within: loglik %.4f (%d params, %d/%d starts), %.2f s; brute-force max diff %.2e\n",
            r$loglik, r$npar, r$starts_at_best, r$starts, r$elapsed, max(abs(brute[1, ] - brute[2, ]))))
peer_write(opt, "between_within.json", res)
