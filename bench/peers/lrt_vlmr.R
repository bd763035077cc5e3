# Peer computation of TECH11 (Vuong-Lo-Mendell-Rubin LRT and the LMR adjusted LRT) for two data sets,
# independent of plusmix (own EM, analytic per-person scores, numDeriv Hessian, R's integrate()):
#   Rscript bench/peers/lrt_vlmr.R [--data DIR] [--out DIR]   -> fixtures/peers/lrt_vlmr.json
#
# 1. peers/lrt_bully/bully.dat: 6 binary items with missing values (CRDC Arizona 2017, the IMMERSE
#    LCA tutorial, MM4DBER/Intro_to_LCA), latent class models with 1, 2 and 3 classes (logit
#    thresholds, class logits against the last class). Mplus 8.8 TECH11 for 2 and 3 classes is in
#    peers/lrt_bully/c2_bully.out and c3_bully.out.
# 2. sim/lpa4.dat (y1-y4): latent profile models with 1 and 2 classes (class-varying means,
#    class-invariant variances, Mplus's LPA default).
#
# For K-1 (H0) against K classes: LRT = 2 (l1 - l0); W = [B11 V1, B10 V0; -B01 V1, -B00 V0] with
# Bab = sum of per-person score products and V = the MLR covariance A^-1 B A^-1 (A = minus the
# numDeriv Hessian). Parameters at a logit bound (|threshold| > 14) are left out of A, B and V, as Mplus
# fixes them. Mean = sum(eigenvalues), SD = sqrt(2 sum(eigenvalues^2)), p = P(sum lambda chi2_1 > LRT)
# by Imhof's formula with integrate() and by simulation (1e6 draws), LMR = LRT / (1 + 1/(d log n)) with
# d the difference in the number of free parameters (bound parameters included, as Mplus counts them).
# Also: weighted chi-square tail probabilities for a few fixed weight vectors (pchisq where exact).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(numDeriv))
opt <- peer_args()

imhof <- function(x, lam) {
  lam <- lam[abs(lam) > 1e-10 * max(abs(lam))]
  f <- function(u) sapply(u, function(v) {
    th <- 0.5 * sum(atan(lam * v)) - 0.5 * x * v
    sin(th) / (v * prod((1 + lam^2 * v^2)^0.25))
  })
  # integrate() piecewise over [0, 2^-4 / max|lambda|] and doubling intervals up to 2^40 / max|lambda|
  edges <- c(0, 2^(-4:40) / max(abs(lam)))
  total <- 0
  for (i in seq_len(length(edges) - 1L))
    total <- total + integrate(f, edges[i], edges[i + 1L], subdivisions = 5000L, rel.tol = 1e-11, abs.tol = 1e-14,
                               stop.on.error = FALSE)$value
  0.5 + total / pi
}
simulate_p <- function(x, lam, draws = 1e6, seed = 1) {
  set.seed(seed)
  q <- numeric(draws)
  for (l in lam) q <- q + l * rchisq(draws, 1)
  mean(q > x)
}

# ---- the test from per-person scores S (n x p) and Hessians H of both models
vlmr <- function(n, ll1, S1, H1, ll0, S0, H0, d) {
  V <- function(S, H) { Ai <- solve(-H); Ai %*% crossprod(S) %*% Ai }
  V1 <- V(S1, H1); V0 <- V(S0, H0)
  W <- rbind(cbind(crossprod(S1) %*% V1, crossprod(S1, S0) %*% V0),
             cbind(-crossprod(S0, S1) %*% V1, -crossprod(S0) %*% V0))
  lam <- sort(Re(eigen(W, only.values = TRUE)$values), decreasing = TRUE)
  lrt <- 2 * (ll1 - ll0)
  lmr <- lrt / (1 + 1 / (d * log(n)))
  list(n = n, h1_loglik = ll1, h0_loglik = ll0, lrt = lrt, parameter_difference = d,
       mean = sum(lam), sd = sqrt(2 * sum(lam^2)), eigenvalues = lam,
       p_imhof = imhof(lrt, lam), p_simulated = simulate_p(lrt, lam),
       lmr = lmr, lmr_p_imhof = imhof(lmr, lam), lmr_p_simulated = simulate_p(lmr, lam))
}

# ---- latent class model, binary items with missing values
bully_path <- file.path(opt$data, "peers/lrt_bully/bully.dat")
if (!file.exists(bully_path)) stop("data file not found: ", bully_path)
d <- as.matrix(utils::read.table(bully_path, header = FALSE, na.strings = ".", col.names = paste0("u", 1:6)))
stopifnot(is.numeric(d), sum(is.na(d)) == 165L)
n <- nrow(d); J <- ncol(d)
obs <- !is.na(d); d0 <- ifelse(obs, d == 0, FALSE); d1 <- ifelse(obs, d == 1, FALSE)
lca_logpk <- function(th, K) {
  tau <- matrix(th[1:(K * J)], K, J, byrow = TRUE)
  a <- c(if (K > 1) th[K * J + 1:(K - 1)] else numeric(0), 0)
  lp <- sapply(1:K, function(k) d0 %*% plogis(tau[k, ], log.p = TRUE) + d1 %*% plogis(-tau[k, ], log.p = TRUE))
  lp <- matrix(lp, n, K)
  sweep(lp, 2, a - log(sum(exp(a))), "+")
}
lca_post <- function(th, K) { lp <- lca_logpk(th, K); m <- apply(lp, 1, max); p <- exp(lp - m); list(ll = sum(m + log(rowSums(p))), post = p / rowSums(p)) }
lca_scores <- function(th, K) {
  tau <- matrix(th[1:(K * J)], K, J, byrow = TRUE)
  post <- lca_post(th, K)$post
  S <- matrix(0, n, length(th))
  for (k in 1:K) S[, (k - 1) * J + 1:J] <- post[, k] * (d0 - sweep(obs, 2, plogis(tau[k, ]), "*"))
  if (K > 1) { a <- c(th[K * J + 1:(K - 1)], 0); pi <- exp(a) / sum(exp(a)); for (k in 1:(K - 1)) S[, K * J + k] <- post[, k] - pi[k] }
  S
}
lca_em <- function(K, seed) {
  set.seed(seed)
  post <- matrix(runif(n * K), n, K); post <- post / rowSums(post); ll0 <- -Inf
  for (it in 1:20000) {
    tau <- t(sapply(1:K, function(k) { p0 <- colSums(post[, k] * d0) / colSums(post[, k] * obs); qlogis(pmin(pmax(p0, 1e-7), 1 - 1e-7)) }))
    if (K == 1) tau <- matrix(tau, 1)
    pk <- colMeans(post)
    th <- c(t(tau), if (K > 1) log(pk[1:(K - 1)] / pk[K]))
    r <- lca_post(th, K); post <- r$post
    if (abs(r$ll - ll0) < 1e-11) break
    ll0 <- r$ll
  }
  list(th = th, ll = r$ll)
}
lca_fit <- function(K, starts = 20) {
  best <- NULL
  for (s in 1:starts) { r <- lca_em(K, s); if (is.null(best) || r$ll > best$ll + 1e-9) best <- r }
  free <- abs(best$th) < 14
  S <- lca_scores(best$th, K)[, free, drop = FALSE]
  H <- jacobian(function(t) { th <- best$th; th[free] <- t; colSums(lca_scores(th, K))[free] }, best$th[free])
  H <- (H + t(H)) / 2
  list(ll = best$ll, S = S, H = H, npar = length(best$th), nfree_bound = sum(!free))
}
t0 <- proc.time()[["elapsed"]]
lca <- lapply(1:3, lca_fit)
lca_tests <- lapply(2:3, function(K) {
  f <- lca[[K]]; g <- lca[[K - 1]]
  c(list(classes = K, h1_parameters = f$npar, h0_parameters = g$npar, h1_at_bound = f$nfree_bound, h0_at_bound = g$nfree_bound),
    vlmr(n, f$ll, f$S, f$H, g$ll, g$S, g$H, f$npar - g$npar))
})

# ---- latent profile model, class-invariant variances
y <- as.matrix(peer_read(opt, "sim/lpa4.dat", c("y1", "y2", "y3", "y4", "trueclass"))[, 1:4])
ny <- nrow(y); P <- ncol(y)
# theta: means (K x P, by class), log-free variances as variances (P), class logits (K-1)
lpa_parts <- function(th, K) list(mu = matrix(th[1:(K * P)], K, P, byrow = TRUE), v = th[K * P + 1:P],
                                  a = c(if (K > 1) th[K * P + P + 1:(K - 1)] else numeric(0), 0))
lpa_post <- function(th, K) {
  p <- lpa_parts(th, K)
  lp <- sapply(1:K, function(k) rowSums(dnorm(y, matrix(p$mu[k, ], ny, P, byrow = TRUE), matrix(sqrt(p$v), ny, P, byrow = TRUE), log = TRUE)))
  lp <- sweep(matrix(lp, ny, K), 2, p$a - log(sum(exp(p$a))), "+")
  m <- apply(lp, 1, max); e <- exp(lp - m)
  list(ll = sum(m + log(rowSums(e))), post = e / rowSums(e))
}
lpa_scores <- function(th, K) {
  p <- lpa_parts(th, K); post <- lpa_post(th, K)$post
  S <- matrix(0, ny, length(th))
  for (k in 1:K) {
    r <- y - matrix(p$mu[k, ], ny, P, byrow = TRUE)
    S[, (k - 1) * P + 1:P] <- post[, k] * sweep(r, 2, p$v, "/")
    S[, K * P + 1:P] <- S[, K * P + 1:P] + post[, k] * (sweep(r^2, 2, 2 * p$v^2, "/") - matrix(1 / (2 * p$v), ny, P, byrow = TRUE))
  }
  if (K > 1) { pi <- exp(p$a) / sum(exp(p$a)); for (k in 1:(K - 1)) S[, K * P + P + k] <- post[, k] - pi[k] }
  S
}
lpa_em <- function(K, seed) {
  set.seed(seed)
  post <- matrix(runif(ny * K), ny, K); post <- post / rowSums(post); ll0 <- -Inf
  for (it in 1:20000) {
    nk <- colSums(post)
    mu <- t(sapply(1:K, function(k) colSums(post[, k] * y) / nk[k])); if (K == 1) mu <- matrix(mu, 1)
    v <- colSums(Reduce(`+`, lapply(1:K, function(k) post[, k] * sweep(y, 2, mu[k, ])^2))) / ny
    th <- c(t(mu), v, if (K > 1) log(nk[1:(K - 1)] / nk[K]))
    r <- lpa_post(th, K); post <- r$post
    if (abs(r$ll - ll0) < 1e-11) break
    ll0 <- r$ll
  }
  list(th = th, ll = r$ll)
}
lpa_fit <- function(K, starts = 10) {
  best <- NULL
  for (s in 1:starts) { r <- lpa_em(K, s); if (is.null(best) || r$ll > best$ll + 1e-9) best <- r }
  S <- lpa_scores(best$th, K)
  H <- jacobian(function(t) colSums(lpa_scores(t, K)), best$th)
  list(ll = best$ll, S = S, H = (H + t(H)) / 2, npar = length(best$th))
}
lpa <- lapply(1:2, lpa_fit)
lpa_test <- c(list(classes = 2L, h1_parameters = lpa[[2]]$npar, h0_parameters = lpa[[1]]$npar),
              vlmr(ny, lpa[[2]]$ll, lpa[[2]]$S, lpa[[2]]$H, lpa[[1]]$ll, lpa[[1]]$S, lpa[[1]]$H, lpa[[2]]$npar - lpa[[1]]$npar))

# ---- weighted chi-square tails
tails <- list(
  list(x = 11.07, lambdas = rep(1, 5), p = pchisq(11.07, 5, lower.tail = FALSE)),
  list(x = 3.2, lambdas = c(2, 2), p = pchisq(3.2 / 2, 2, lower.tail = FALSE)),
  list(x = 21.442, lambdas = c(6, 1.5, 1, 1, 0.7, 0.3, -0.5, -2)),
  list(x = 2, lambdas = c(1, -1)),
  list(x = -1, lambdas = c(0.5, -3, 0.2))
)
tails <- lapply(tails, function(t) { t$p_imhof <- imhof(t$x, t$lambdas); t$p_simulated <- simulate_p(t$x, t$lambdas); t })

peer_write(opt, "lrt_vlmr.json", list(
  versions = peer_versions(c("numDeriv", "jsonlite")),
  elapsed = proc.time()[["elapsed"]] - t0,
  lca_bully = lca_tests,
  lpa4 = lpa_test,
  weighted_chisq_tails = tails
))
