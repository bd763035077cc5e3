# Peer fit for a two-level model with TWO outcomes and a random slope of one of them (issue 5, item
# "random slopes together with several outcomes"), with nlme on the long-format equivalent.
#   Rscript bench/peers/twolevel_slope2_nlme.R [--data DIR] [--out DIR]
#     -> fixtures/twolevel/slope2.dat (simulated here, written first) and fixtures/peers/twolevel_slope2_nlme.json
#
# Data (set.seed(20261124)): 150 clusters of 5-15 individuals (sample), w_j ~ N(0,1), x_ij ~ N(0,1),
# (u1, u2, s)_j ~ N(0, T), T = [0.5 0.2 0.1; 0.2 0.4 0.05; 0.1 0.05 0.3], (e1, e2) ~ N(0, Sigma_W),
# Sigma_W = [1 0.3; 0.3 0.8];
#   y1 = 1 + 0.5 w + (0.6 + 0.3 w + s) x + u1 + e1,      y2 = -0.5 + 0.2 w + 0.4 x + u2 + e2.
# Columns y1 y2 x w clus, six decimals.
#
# Mplus model (fixtures/twolevel/slope2.inp):
#   WITHIN = x; BETWEEN = w; TYPE = TWOLEVEL RANDOM;
#   %WITHIN% s | y1 ON x; y2 ON x; y1 WITH y2;
#   %BETWEEN% y1 y2 s ON w; y1 WITH y2 s; y2 WITH s;
# nlme equivalent on the long data (one row per individual and outcome, `o` = 1, 2):
#   lme(val ~ 0 + d1 + d2 + d1:w + d2:w + d1:x + d1:x:w + d2:x,
#       random = list(clus = pdSymm(~ 0 + d1 + d2 + d1:x)),     # T, 3 x 3 unstructured
#       weights = varIdent(form = ~ 1 | o),                      # Var(e1), Var(e2)
#       correlation = corSymm(form = ~ o | clus/id),             # Cov(e1, e2) within an individual
#       method = "ML")
# 16 parameters in both. The log-likelihood is confirmed by a dense per-cluster normal density written
# here from the Mplus parameterisation (`loglik_dense`), and standard errors come from the numerical
# Hessian of that dense log-likelihood in the Mplus parameterisation (numDeriv; `se_observed`) and from
# the MLR sandwich with its per-cluster scores (`se_mlr`).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(nlme); library(numDeriv) })
opt <- peer_args()

set.seed(20261124)
J <- 150
nj <- sample(5:15, J, replace = TRUE)
w <- rnorm(J)
Tm <- matrix(c(0.5, 0.2, 0.1, 0.2, 0.4, 0.05, 0.1, 0.05, 0.3), 3, 3)
U <- matrix(rnorm(J * 3), J, 3) %*% chol(Tm)
SWm <- matrix(c(1, 0.3, 0.3, 0.8), 2, 2)
clus <- rep(seq_len(J), nj)
N <- length(clus)
x <- rnorm(N)
E <- matrix(rnorm(N * 2), N, 2) %*% chol(SWm)
wi <- w[clus]
y1 <- 1 + 0.5 * wi + (0.6 + 0.3 * wi + U[clus, 3]) * x + U[clus, 1] + E[, 1]
y2 <- -0.5 + 0.2 * wi + 0.4 * x + U[clus, 2] + E[, 2]
out_dat <- file.path(opt$data, "twolevel", "slope2.dat")
dir.create(dirname(out_dat), showWarnings = FALSE, recursive = TRUE)
writeLines(sprintf("%12.6f%12.6f%12.6f%12.6f %4d", y1, y2, x, wi, clus), out_dat)
cat("wrote", out_dat, N, "rows\n")
d <- utils::read.table(out_dat, col.names = c("y1", "y2", "x", "w", "clus"))
d$id <- seq_len(nrow(d))

long <- rbind(data.frame(d[, c("x", "w", "clus", "id")], val = d$y1, o = 1L),
              data.frame(d[, c("x", "w", "clus", "id")], val = d$y2, o = 2L))
long <- long[order(long$clus, long$id, long$o), ]
long$d1 <- as.numeric(long$o == 1L)
long$d2 <- as.numeric(long$o == 2L)
long$clus <- factor(long$clus)
long$id <- factor(long$id)
t <- peer_timed(lme(val ~ 0 + d1 + d2 + d1:w + d2:w + d1:x + d1:x:w + d2:x,
                    random = list(clus = pdSymm(~ 0 + d1 + d2 + d1:x)),
                    weights = varIdent(form = ~ 1 | o),
                    correlation = corSymm(form = ~ o | clus/id),
                    data = long, method = "ML",
                    control = lmeControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-10, msTol = 1e-12, niterEM = 100)))
fit <- t$value
fe <- fixef(fit)
Tn <- as.matrix(getVarCov(fit))          # order d1, d2, d1:x
sig <- fit$sigma
ratio <- coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)   # sd ratios by o
rho <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)
s1 <- sig * ratio[["1"]]; s2 <- sig * ratio[["2"]]
# Mplus parameterisation (names as plusmix prints them: level|block|name)
est <- c(
  "within|Y2 ON|X" = unname(fe["d2:x"]),
  "within|Y1 WITH|Y2" = unname(rho * s1 * s2),
  "within|Residual Variances|Y1" = s1^2,
  "within|Residual Variances|Y2" = s2^2,
  "between|Y1 ON|W" = unname(fe["d1:w"]),
  "between|Y2 ON|W" = unname(fe["d2:w"]),
  "between|S ON|W" = unname(fe["d1:w:x"]),
  "between|Intercepts|Y1" = unname(fe["d1"]),
  "between|Intercepts|Y2" = unname(fe["d2"]),
  "between|Intercepts|S" = unname(fe["d1:x"]),
  "between|Residual Variances|Y1" = Tn[1, 1],
  "between|Residual Variances|Y2" = Tn[2, 2],
  "between|Residual Variances|S" = Tn[3, 3],
  "between|Y1 WITH|Y2" = Tn[1, 2],
  "between|Y1 WITH|S" = Tn[1, 3],
  "between|Y2 WITH|S" = Tn[2, 3])

# dense log-likelihood in the Mplus parameterisation (independent of nlme)
idx <- split(seq_len(nrow(d)), d$clus)
dense <- function(th) sum(dense_clusters(th))
dense_clusters <- function(th) {
  p <- as.list(th); names(p) <- names(est)
  SW <- matrix(c(p[["within|Residual Variances|Y1"]], p[["within|Y1 WITH|Y2"]], p[["within|Y1 WITH|Y2"]], p[["within|Residual Variances|Y2"]]), 2, 2)
  TT <- matrix(c(p[["between|Residual Variances|Y1"]], p[["between|Y1 WITH|Y2"]], p[["between|Y1 WITH|S"]],
                 p[["between|Y1 WITH|Y2"]], p[["between|Residual Variances|Y2"]], p[["between|Y2 WITH|S"]],
                 p[["between|Y1 WITH|S"]], p[["between|Y2 WITH|S"]], p[["between|Residual Variances|S"]]), 3, 3)
  sapply(idx, function(cl) {
    n <- length(cl)
    xx <- d$x[cl]; ww <- d$w[cl]
    m1 <- p[["between|Intercepts|Y1"]] + p[["between|Y1 ON|W"]] * ww + (p[["between|Intercepts|S"]] + p[["between|S ON|W"]] * ww) * xx
    m2 <- p[["between|Intercepts|Y2"]] + p[["between|Y2 ON|W"]] * ww + p[["within|Y2 ON|X"]] * xx
    y <- as.numeric(rbind(d$y1[cl], d$y2[cl])); m <- as.numeric(rbind(m1, m2))
    Z <- matrix(0, 2 * n, 3)
    Z[seq(1, 2 * n, 2), 1] <- 1; Z[seq(2, 2 * n, 2), 2] <- 1; Z[seq(1, 2 * n, 2), 3] <- xx
    V <- kronecker(diag(n), SW) + Z %*% TT %*% t(Z)
    R <- chol(V)
    z <- backsolve(R, y - m, transpose = TRUE)
    -0.5 * (2 * n * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
  })
}
lld <- dense(est)
H <- numDeriv::hessian(dense, est)
Ainv <- solve(-H)
se <- sqrt(diag(Ainv))
# MLR (Mplus's default for TWOLEVEL): sandwich A^-1 B A^-1 with B = sum of outer products of the
# per-cluster scores (numDeriv Jacobian of the per-cluster log-likelihoods)
S <- numDeriv::jacobian(dense_clusters, est)
se_mlr <- sqrt(diag(Ainv %*% crossprod(S) %*% Ainv))
g <- numDeriv::grad(dense, est)
cat(sprintf("nlme logLik %.6f, dense %.6f, max |gradient| %.2e\n", as.numeric(logLik(fit)), lld, max(abs(g))))
res <- list(package = "nlme", versions = peer_versions(c("nlme", "numDeriv")), data = "twolevel/slope2.dat (simulated by this script)",
            mplus_model = "WITHIN = x; BETWEEN = w; %WITHIN% s | y1 ON x; y2 ON x; y1 WITH y2; %BETWEEN% y1 y2 s ON w; y1 WITH y2 s; y2 WITH s;",
            call = "lme(val ~ 0 + d1 + d2 + d1:w + d2:w + d1:x + d1:x:w + d2:x, random = list(clus = pdSymm(~ 0 + d1 + d2 + d1:x)), weights = varIdent(~1|o), correlation = corSymm(~ o | clus/id), method = 'ML')",
            loglik = as.numeric(logLik(fit)), loglik_dense = lld, max_abs_gradient_dense = max(abs(g)),
            npar = length(est), nobs = nrow(d), nclusters = J,
            key_note = "level|block|name as plusmix prints the parameter; se_observed from the numerical Hessian of loglik_dense, se_mlr the sandwich with per-cluster scores of the same density",
            estimates = lapply(setNames(seq_along(est), names(est)), function(k) list(est = unname(est[k]), se_observed = se[k], se_mlr = se_mlr[k])),
            generating = list(T = Tm, Sigma_W = SWm, y1 = "1 + 0.5 w + (0.6 + 0.3 w + s) x", y2 = "-0.5 + 0.2 w + 0.4 x"),
            elapsed = t$elapsed)
peer_write(opt, "twolevel_slope2_nlme.json", res)
