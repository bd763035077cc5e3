# Simulated data for between-level class variables (second seed paper, Asparouhov & Muthen,
# "Multilevel mixture models", sections 5 and 6): writes four files into <data>/sim/
#   Rscript bench/peers/between_sim.R [--data DIR]        (default DIR: the project's fixtures/)
#
#   between_m2.dat        Table 2 Model 2: between class cb, no random effect (v = 0), 200 x 10
#   between_m5.dat        Table 3 Model 5: between class cb + random intercept (v = 0.2), 100 x 10
#   between_m5_large.dat  Model 5 again, 300 x 10 (recovery tests)
#   between_within.dat    section 6: between class cb and within class c (c ON cb), no random effect, 200 x 10
#
# Generating values, column layout and the order of the random draws: fixtures/sim/README.md. Each file
# has its own set.seed() so any one of them can be regenerated alone; R 4.2.2's default RNG
# (Mersenne-Twister, Inversion, Rejection sampling). The between classes are of exactly equal size
# (half the clusters each, in random order), as in the paper's design ("the two classes are of equal
# size"). Reals are written with 6 decimals; the peer fits (between_m2.R, between_m5.R, between_within.R)
# read the files back from disk.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
opt <- peer_args()
dir <- file.path(opt$data, "sim")
dir.create(dir, showWarnings = FALSE, recursive = TRUE)

write_dat <- function(d, file, int_cols) {
  cols <- lapply(names(d), function(n) if (n %in% int_cols) sprintf("%d", as.integer(d[[n]])) else sprintf("%.6f", d[[n]]))
  writeLines(do.call(paste, c(cols, sep = " ")), file.path(dir, file))
  cat(sprintf("wrote %s (%d rows)\n", file.path(dir, file), nrow(d)))
}

# Model 2 / Model 5 (eq. 19 with a between-level class): y_ij = mu_cb + u_j + beta_cb x_ij + e_ij,
# mu = (1, 0), beta = (0.2, 0.8), Var(e) = 1, Var(u) = v (0 for Model 2: no draw).
# Draws in order: cb (sample), u (J, only if v > 0), x (J n), e (J n).
sim_m <- function(seed, J, n, v) {
  set.seed(seed)
  cb <- sample(rep(1:2, each = J / 2))
  u <- if (v > 0) rnorm(J, 0, sqrt(v)) else rep(0, J)
  cluster <- rep(seq_len(J), each = n)
  x <- rnorm(J * n)
  e <- rnorm(J * n)
  mu <- c(1, 0)
  beta <- c(0.2, 0.8)
  cbi <- cb[cluster]
  data.frame(y = mu[cbi] + u[cluster] + beta[cbi] * x + e, x = x, cluster = cluster, trueclass = cbi)
}

write_dat(sim_m(20261130L, 200L, 10L, 0), "between_m2.dat", c("cluster", "trueclass"))
write_dat(sim_m(20261131L, 100L, 10L, 0.2), "between_m5.dat", c("cluster", "trueclass"))
write_dat(sim_m(20261132L, 300L, 10L, 0.2), "between_m5_large.dat", c("cluster", "trueclass"))

# Section 6 (eq. 22-26) without random effects: between class cb (P = 0.5 each, equal sizes), within
# class c with P(c = 1 | cb = 1) = 0.8, P(c = 1 | cb = 2) = 0.3 (Mplus: [c#1] = logit 0.3,
# c#1 ON cb#1 = logit 0.8 - logit 0.3), y_ij = nu_c + beta_c x_ij + e_ij with nu = (2, -1),
# beta = (0.5, 1), Var(e) = 1 (nu and beta depend on the within class only).
# Draws in order: cb (sample), U (J n, runif; c = 1 if U < P(c = 1 | cb)), x (J n), e (J n).
sim_bw <- function(seed, J, n) {
  set.seed(seed)
  cb <- sample(rep(1:2, each = J / 2))
  cluster <- rep(seq_len(J), each = n)
  p1 <- c(0.8, 0.3)[cb[cluster]]
  c <- ifelse(runif(J * n) < p1, 1L, 2L)
  x <- rnorm(J * n)
  e <- rnorm(J * n)
  nu <- c(2, -1)
  beta <- c(0.5, 1)
  data.frame(y = nu[c] + beta[c] * x + e, x = x, cluster = cluster, truecb = cb[cluster], truec = c)
}

write_dat(sim_bw(20261133L, 200L, 10L), "between_within.dat", c("cluster", "truecb", "truec"))
