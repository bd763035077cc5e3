# Peer fit for the User's Guide ex9.12 two-level growth model (three-level analysis of y1-y4 over four
# time points, individuals in clusters) with lavaan's two-level ML.
#   Rscript bench/peers/twolevel_growth_lavaan.R [--data DIR] [--out DIR]  -> fixtures/peers/twolevel_growth_lavaan.json
#
# Data mplus-ug/ex9.12.dat (y1 y2 y3 y4 x w clus). Mplus model (fixtures/twolevel/ex9.12.inp):
#   WITHIN = x; BETWEEN = w;
#   %WITHIN%  iw sw | y1@0 y2@1 y3@2 y4@3; iw sw ON x; [iw@0 sw@0];
#   %BETWEEN% ib sb | y1@0 y2@1 y3@2 y4@3; ib sb ON w;
# The growth-factor means live on the between level (ib, sb; the indicators' between intercepts are 0,
# as for growth models); the within-level ones are 0 (written explicitly in the input: plusmix's model
# stage frees them by default, see docs/coverage.md). Between residual variances of y1-y4 are free and
# the growth factors' residuals covary at each level (Mplus defaults).
# Standard errors: ML with observed information (se_ml) and MLR (se_mlr).
# Log-likelihood: lavaan with fixed.x = TRUE conditions on x and w; `loglik_dense` re-evaluates the
# conditional log-likelihood at lavaan's estimates with a dense per-cluster normal density.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))
opt <- peer_args()
d <- peer_read(opt, "mplus-ug/ex9.12.dat", c("y1", "y2", "y3", "y4", "x", "w", "clus"))
ys <- c("y1", "y2", "y3", "y4")
syntax <- "
  level: 1
    iw =~ 1*y1 + 1*y2 + 1*y3 + 1*y4
    sw =~ 0*y1 + 1*y2 + 2*y3 + 3*y4
    iw ~ x
    sw ~ x
  level: 2
    ib =~ 1*y1 + 1*y2 + 1*y3 + 1*y4
    sb =~ 0*y1 + 1*y2 + 2*y3 + 3*y4
    ib ~ w
    sb ~ w
    y1 ~ 0*1
    y2 ~ 0*1
    y3 ~ 0*1
    y4 ~ 0*1
    ib ~ 1
    sb ~ 1
"
t <- peer_timed(sem(syntax, data = d, cluster = "clus", estimator = "ML", information = "observed"))
fit <- t$value
fit_mlr <- sem(syntax, data = d, cluster = "clus", estimator = "MLR", information = "observed")
stopifnot(lavInspect(fit, "converged"), lavInspect(fit_mlr, "converged"))
pe <- parameterEstimates(fit)
get <- function(lhs, op, rhs, level) { v <- pe$est[pe$lhs == lhs & pe$op == op & pe$rhs == rhs & pe$level == level]; if (length(v) == 0L) 0 else v }
Lam <- cbind(1, 0:3)
psi <- function(level, a, b) matrix(c(get(a, "~~", a, level), get(a, "~~", b, level), get(a, "~~", b, level), get(b, "~~", b, level)), 2, 2)
SW <- Lam %*% psi(1L, "iw", "sw") %*% t(Lam) + diag(sapply(ys, function(y) get(y, "~~", y, 1L)))
SB <- Lam %*% psi(2L, "ib", "sb") %*% t(Lam) + diag(sapply(ys, function(y) get(y, "~~", y, 2L)))
total <- 0
for (cl in split(seq_len(nrow(d)), d$clus)) {
  n <- length(cl)
  M <- t(sapply(cl, function(i) Lam %*% c(get("ib", "~1", "", 2L) + get("ib", "~", "w", 2L) * d$w[i] + get("iw", "~", "x", 1L) * d$x[i],
                                          get("sb", "~1", "", 2L) + get("sb", "~", "w", 2L) * d$w[i] + get("sw", "~", "x", 1L) * d$x[i])))
  r <- as.numeric(t(as.matrix(d[cl, ys]) - M))
  V <- kronecker(diag(n), SW) + kronecker(matrix(1, n, n), SB)
  R <- chol(V)
  z <- backsolve(R, r, transpose = TRUE)
  total <- total - 0.5 * (n * 4 * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
}
fm <- fitMeasures(fit, c("logl", "npar"))
a <- pe; b <- parameterEstimates(fit_mlr)
est <- list()
for (i in which(a$se > 0 & !is.na(a$se))) est[[paste0("L", a$level[i], ":", a$lhs[i], a$op[i], a$rhs[i])]] <- list(est = a$est[i], se_ml = a$se[i], se_mlr = b$se[i])
cat(sprintf("ex9_12: logl %.4f dense %.4f npar %d\n", fm[["logl"]], total, as.integer(fm[["npar"]])))
res <- list(package = "lavaan", versions = peer_versions(c("lavaan")), data = "mplus-ug/ex9.12.dat",
            key_note = "L<level>:<lhs><op><rhs>, level 1 = within, 2 = between",
            models = list(ex9_12 = list(lavaan_model = syntax,
              call = "sem(model, data, cluster = 'clus', estimator = 'ML' | 'MLR', information = 'observed')",
              logl = unname(fm[["logl"]]), loglik_conditional = total, npar = unname(fm[["npar"]]), nobs = nobs(fit),
              estimates = est, elapsed = t$elapsed)))
peer_write(opt, "twolevel_growth_lavaan.json", res)
