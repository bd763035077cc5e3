# Shared code of the between-level class peer scripts (between_m2.R, between_m5.R, between_within.R):
# exact closed-form log-likelihoods of two-level mixtures with a between-level class variable cb
# (second seed paper, sections 5 and 6), a multi-start ML fitter (optim BFGS) and Mplus-style reporting.
# Written independently of plusmix; sourced after common.R.
#
# All three models have a closed-form likelihood because the only random effect is at most one random
# intercept with a normal outcome (no numerical integration). The cluster j is the independent unit:
#   L_j = sum_m pi_m f(y_j | cb = m)
# with pi_m = P(cb = m), logit [cb#1] = log(pi_1 / pi_2) (class 2 = Mplus's reference class).
#
# Parameters are handled on two scales: "natural" (the Mplus parameters: intercepts, slopes, variances,
# logits), used for the reported estimates and the numerical Hessians, and "free" (variances as logs),
# used by optim so that every start stays inside the parameter space.

suppressPackageStartupMessages(library(numDeriv))

lse2 <- function(a, b) { m <- pmax(a, b); m + log(exp(a - m) + exp(b - m)) }
log_sigmoid <- function(z) -log1p(exp(-z))          # log P(class 1) for logit z (z moderate here)

#' Model 2 (Table 2): no random effect; within cb = m, y_ij = mu_m + beta_m x_ij + e, Var(e) = theta_m.
#' equal_var: one theta for both classes (Mplus's default). theta layout (natural):
#'   equal:   mu1 b1 mu2 b2 theta a          varying: mu1 b1 mu2 b2 theta1 theta2 a
model_m2 <- function(d, equal_var) {
  cl <- d$cluster
  nm <- c("mu1", "b1", "mu2", "b2", if (equal_var) "theta" else c("theta1", "theta2"), "a")
  per_cluster <- function(th) {
    t1 <- th[5]
    t2 <- if (equal_var) th[5] else th[6]
    a <- th[length(th)]
    l1 <- rowsum(dnorm(d$y, th[1] + th[2] * d$x, sqrt(t1), log = TRUE), cl, reorder = TRUE)[, 1]
    l2 <- rowsum(dnorm(d$y, th[3] + th[4] * d$x, sqrt(t2), log = TRUE), cl, reorder = TRUE)[, 1]
    lse2(log_sigmoid(a) + l1, log_sigmoid(-a) + l2)
  }
  # posterior P(cb = 1 | y_j)
  posterior1 <- function(th) {
    t2 <- if (equal_var) th[5] else th[6]
    a <- th[length(th)]
    l1 <- rowsum(dnorm(d$y, th[1] + th[2] * d$x, sqrt(th[5]), log = TRUE), cl, reorder = TRUE)[, 1]
    l2 <- rowsum(dnorm(d$y, th[3] + th[4] * d$x, sqrt(t2), log = TRUE), cl, reorder = TRUE)[, 1]
    1 / (1 + exp(log_sigmoid(-a) + l2 - log_sigmoid(a) - l1))
  }
  var_idx <- grep("^theta", nm)
  # between class 1 = the class with the higher intercept (the truth's class 1: mu = 1)
  canonical <- function(th) {
    if (th[1] >= th[3]) return(th)
    s <- th
    s[1:4] <- th[c(3, 4, 1, 2)]
    if (!equal_var) s[5:6] <- th[6:5]
    s[length(s)] <- -th[length(th)]
    s
  }
  random_start <- function() {
    q <- quantile(d$y, c(0.25, 0.75))
    th <- c(runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5), runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5),
            rep(var(d$y) * runif(1, 0.3, 1), if (equal_var) 1 else 2), rnorm(1, 0, 0.5))
    th
  }
  list(names = nm, per_cluster = per_cluster, var_idx = var_idx, canonical = canonical,
       random_start = random_start, posterior1 = posterior1)
}

#' Model 5 (Table 3): within cb = m, y_j ~ N(mu_m 1 + beta_m x_j, theta I + v 11') (random intercept
#' u_j with variance v, class-invariant; residual variance theta class-invariant).
#' theta layout: mu1 b1 mu2 b2 theta v a.
#' Compound-symmetry identities for a cluster of size n with residuals r:
#'   log det V = (n - 1) log theta + log(theta + n v)
#'   r' V^-1 r = (r'r - v (sum r)^2 / (theta + n v)) / theta
model_m5 <- function(d) {
  cl <- d$cluster
  nj <- rowsum(rep(1, nrow(d)), cl, reorder = TRUE)[, 1]
  nm <- c("mu1", "b1", "mu2", "b2", "theta", "v", "a")
  class_ll <- function(mu, b, theta, v) {
    r <- d$y - mu - b * d$x
    s1 <- rowsum(r, cl, reorder = TRUE)[, 1]
    s2 <- rowsum(r * r, cl, reorder = TRUE)[, 1]
    -0.5 * (nj * log(2 * pi) + (nj - 1) * log(theta) + log(theta + nj * v) +
              (s2 - v * s1 * s1 / (theta + nj * v)) / theta)
  }
  per_cluster <- function(th) {
    if (th[5] <= 0 || th[5] + max(nj) * th[6] <= 0) return(rep(-Inf, length(nj)))
    lse2(log_sigmoid(th[7]) + class_ll(th[1], th[2], th[5], th[6]),
         log_sigmoid(-th[7]) + class_ll(th[3], th[4], th[5], th[6]))
  }
  posterior1 <- function(th) {
    l1 <- log_sigmoid(th[7]) + class_ll(th[1], th[2], th[5], th[6])
    l2 <- log_sigmoid(-th[7]) + class_ll(th[3], th[4], th[5], th[6])
    1 / (1 + exp(l2 - l1))
  }
  canonical <- function(th) {
    if (th[1] >= th[3]) return(th)
    s <- th
    s[1:4] <- th[c(3, 4, 1, 2)]
    s[7] <- -th[7]
    s
  }
  random_start <- function() {
    q <- quantile(d$y, c(0.25, 0.75))
    c(runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5), runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5),
      var(d$y) * runif(1, 0.3, 1), var(d$y) * runif(1, 0.05, 0.5), rnorm(1, 0, 0.5))
  }
  list(names = nm, per_cluster = per_cluster, var_idx = 5:6, canonical = canonical,
       random_start = random_start, posterior1 = posterior1)
}

#' Section 6 without random effects: between class cb (m = 1, 2), within class c (k = 1, 2),
#'   logit P(c = 1 | cb = m) = ac + g 1{m = 1}      (Mplus: [c#1] = ac, c#1 ON cb#1 = g)
#'   y_ij | c = k: N(nu_k + beta_k x_ij, theta)    (depends on the within class only)
#'   L_j = sum_m pi_m prod_i sum_k P(c = k | m) f_k(y_ij)
#' theta layout: nu1 b1 nu2 b2 theta acb ac g   (acb = [cb#1]).
model_bw <- function(d) {
  cl <- d$cluster
  nm <- c("nu1", "b1", "nu2", "b2", "theta", "acb", "ac", "g")
  parts <- function(th) {
    f1 <- dnorm(d$y, th[1] + th[2] * d$x, sqrt(th[5]), log = TRUE)
    f2 <- dnorm(d$y, th[3] + th[4] * d$x, sqrt(th[5]), log = TRUE)
    # log f(y_ij | cb = m), summed over the individuals of each cluster
    lm <- function(z) rowsum(lse2(log_sigmoid(z) + f1, log_sigmoid(-z) + f2), cl, reorder = TRUE)[, 1]
    list(l1 = log_sigmoid(th[6]) + lm(th[7] + th[8]), l2 = log_sigmoid(-th[6]) + lm(th[7]))
  }
  per_cluster <- function(th) {
    if (th[5] <= 0) return(rep(-Inf, length(unique(cl))))
    p <- parts(th)
    lse2(p$l1, p$l2)
  }
  posterior1 <- function(th) { p <- parts(th); 1 / (1 + exp(p$l2 - p$l1)) }
  # within class 1 = higher intercept (truth nu = 2); between class 1 = the class with the higher
  # P(c = 1 | cb) (truth 0.8), i.e. g > 0 once the within classes are in order
  canonical <- function(th) {
    s <- th
    if (s[1] < s[3]) {                     # swap within classes: the logits of c#1 change sign
      s[1:4] <- s[c(3, 4, 1, 2)]
      s[7] <- -s[7]
      s[8] <- -s[8]
    }
    if (s[8] < 0) {                        # swap between classes: new reference = old class 1
      s[6] <- -s[6]
      s[7] <- s[7] + s[8]
      s[8] <- -s[8]
    }
    s
  }
  random_start <- function() {
    q <- quantile(d$y, c(0.2, 0.8))
    c(runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5), runif(1, q[1], q[2]), rnorm(1, 0.5, 0.5),
      var(d$y) * runif(1, 0.2, 0.8), rnorm(1, 0, 0.5), rnorm(1, 0, 1), rnorm(1, 0, 1))
  }
  # brute force for one cluster (independent check of the factorisation): sum over cb and over all
  # 2^n within-class configurations of the cluster
  brute_cluster <- function(th, j) {
    ii <- which(cl == sort(unique(cl))[j])
    n <- length(ii)
    f <- cbind(dnorm(d$y[ii], th[1] + th[2] * d$x[ii], sqrt(th[5])), dnorm(d$y[ii], th[3] + th[4] * d$x[ii], sqrt(th[5])))
    conf <- as.matrix(expand.grid(rep(list(1:2), n)))
    tot <- 0
    for (m in 1:2) {
      pm <- if (m == 1) plogis(th[6]) else plogis(-th[6])
      p1 <- plogis(th[7] + th[8] * (m == 1))
      pk <- cbind(p1, 1 - p1)
      tot <- tot + pm * sum(apply(conf, 1, function(k) prod(pk[k] * f[cbind(seq_len(n), k)])))
    }
    log(tot)
  }
  list(names = nm, per_cluster = per_cluster, var_idx = 5L, canonical = canonical,
       random_start = random_start, posterior1 = posterior1, brute_cluster = brute_cluster)
}

#' Maximise sum(M$per_cluster) from `starts` (list of natural-scale vectors; NULL = random starts
#' drawn with M$random_start after set.seed(seed)). Each start: optim BFGS on the free scale (log
#' variances), restarted once from its end point; the best end point is put in canonical class order
#' and polished by Newton steps on the natural scale. Returns the estimate, the log-likelihood of
#' every start, how many starts reached the best value (within 1e-4), and the polished maximum.
fit_ml <- function(M, nstarts, seed, starts = NULL) {
  set.seed(seed)
  if (is.null(starts)) starts <- lapply(seq_len(nstarts), function(i) M$random_start())
  to_nat <- function(u) { u[M$var_idx] <- exp(u[M$var_idx]); u }
  to_free <- function(th) { th[M$var_idx] <- log(th[M$var_idx]); th }
  total <- function(th) sum(M$per_cluster(th))
  negf <- function(u) { v <- -total(to_nat(u)); if (is.finite(v)) v else 1e300 }
  runs <- lapply(starts, function(th0) {
    u <- to_free(th0)
    o <- optim(u, negf, method = "BFGS", control = list(maxit = 5000, reltol = 1e-14))
    o <- optim(o$par, negf, method = "BFGS", control = list(maxit = 5000, reltol = 1e-15))
    list(loglik = -o$value, theta = to_nat(o$par), convergence = o$convergence)
  })
  lls <- sapply(runs, `[[`, "loglik")
  best <- which.max(lls)
  th <- setNames(M$canonical(runs[[best]]$theta), M$names)
  for (i in 1:3) {
    H <- numDeriv::hessian(total, th)
    step <- solve(H, numDeriv::grad(total, th))
    if (total(th - step) >= total(th) - 1e-9) th <- th - step
  }
  list(theta = th, loglik = total(th), loglik_by_start = sort(lls, decreasing = TRUE),
       starts_at_best = sum(lls > max(lls) - 1e-4), nstarts = length(starts), total = total)
}

#' Standard errors at the maximum: se = inverse observed information (numDeriv Hessian of the exact
#' log-likelihood, all parameters jointly), se_mlr = sandwich A^-1 B A^-1 with B the sum of outer
#' products of per-cluster scores (Mplus's MLR, its default for TYPE = TWOLEVEL MIXTURE).
ml_ses <- function(M, th) {
  total <- function(t) sum(M$per_cluster(t))
  Ainv <- solve(-numDeriv::hessian(total, th))
  S <- numDeriv::jacobian(M$per_cluster, th)
  list(se = sqrt(diag(Ainv)), se_mlr = sqrt(diag(Ainv %*% crossprod(S) %*% Ainv)),
       max_abs_gradient = max(abs(colSums(S))))
}

#' Mplus-style estimate table. `spec` is a list, one element per natural parameter (same order), of
#' c(statement, level, class, block, name, truth): statement = the MODEL line that frees it (as written
#' in the Mplus input sketch, with its class section), level / class / block / name = where Mplus
#' prints it (block and name as plusmix's ParameterEstimate: 'Y ON' / 'X', 'Intercepts' / 'Y',
#' 'Residual Variances' / 'Y'; categorical latent rows with level = class = NA, written as null).
mplus_estimates <- function(th, ses, spec) {
  out <- list()
  for (i in seq_along(spec)) {
    s <- spec[[i]]
    out[[s$statement]] <- list(level = s$level, class = s$class, block = s$block, name = s$name,
                               categoricalLatent = s$latent,
                               est = unname(th[i]), se = unname(ses$se[i]), se_mlr = unname(ses$se_mlr[i]),
                               truth = s$truth)
  }
  out
}

#' One row of `spec`; latent = TRUE for the rows Mplus prints under "Categorical Latent Variables"
#' (class logits: level and class are then NA).
P <- function(statement, level, class, block, name, truth, latent = FALSE) {
  list(statement = statement, level = level, class = class, block = block, name = name, truth = truth,
       latent = latent)
}

#' Information criteria as Mplus prints them (n = number of individuals).
ic <- function(ll, npar, n) list(AIC = -2 * ll + 2 * npar, BIC = -2 * ll + log(n) * npar,
                                 aBIC = -2 * ll + log((n + 2) / 24) * npar)

#' Classification summary for a between-level class variable: posterior class-1 proportion (clusters),
#' most likely class counts (clusters), and agreement with the true class.
between_classes <- function(post1, truth_by_cluster) {
  ml <- ifelse(post1 >= 0.5, 1L, 2L)
  list(posterior_proportions = c(mean(post1), 1 - mean(post1)),
       most_likely_clusters = as.integer(table(factor(ml, levels = 1:2))),
       agreement_with_true_class = mean(ml == truth_by_cluster))
}
