# Peer fit for a two-level model with a BETWEEN-only dependent variable (a school-level outcome that is
# itself a predictor of the school part of a student-level outcome), lavaan two-level ML.
#   Rscript bench/peers/twolevel_betweenonly_lavaan.R [--data DIR] [--out DIR]  -> fixtures/peers/twolevel_betweenonly_lavaan.json
#
# Data hsb/hsb.dat. Mplus model (fixtures/twolevel/hsb-between.inp):
#   USEVARIABLES = mathach disclim sector; BETWEEN = disclim sector; CLUSTER = school;
#   %BETWEEN% disclim ON sector; mathach ON disclim sector;
# (within: the residual variance of mathach; between: intercepts and residual variances of mathach's
# random intercept and of disclim). lavaan, fixed.x = TRUE (conditional on sector):
#   level 1: mathach ~~ mathach;  level 2: disclim ~ sector; mathach ~ disclim + sector
# `loglik_dense` re-evaluates the log-likelihood given sector at lavaan's estimates with a dense
# per-school normal density of (mathach of every student, disclim).
# Standard errors: ML with observed information (se_ml) and MLR (se_mlr).

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(lavaan))
opt <- peer_args()
d <- peer_read(opt, "hsb/hsb.dat", c("school", "minority", "female", "ses", "mathach", "meanses", "sector", "size", "pracad", "disclim", "himinty"))
syntax <- "
  level: 1
    mathach ~~ mathach
  level: 2
    disclim ~ sector
    mathach ~ disclim + sector
"
t <- peer_timed(sem(syntax, data = d, cluster = "school", estimator = "ML", information = "observed"))
fit <- t$value
fit_mlr <- sem(syntax, data = d, cluster = "school", estimator = "MLR", information = "observed")
stopifnot(lavInspect(fit, "converged"), lavInspect(fit_mlr, "converged"))
pe <- parameterEstimates(fit)
get <- function(lhs, op, rhs, level) { v <- pe$est[pe$lhs == lhs & pe$op == op & pe$rhs == rhs & pe$level == level]; if (length(v) == 0L) 0 else v }
ve <- get("mathach", "~~", "mathach", 1L)
a_z <- get("disclim", "~1", "", 2L); g_z <- get("disclim", "~", "sector", 2L); vz <- get("disclim", "~~", "disclim", 2L)
a_y <- get("mathach", "~1", "", 2L); b_yz <- get("mathach", "~", "disclim", 2L); g_y <- get("mathach", "~", "sector", 2L); vu <- get("mathach", "~~", "mathach", 2L)
total <- 0
for (cl in split(seq_len(nrow(d)), d$school)) {
  n <- length(cl); s <- d$sector[cl[1]]
  mz <- a_z + g_z * s
  my <- a_y + b_yz * mz + g_y * s
  vyb <- b_yz^2 * vz + vu          # variance of the school part of mathach
  V <- matrix(vyb, n + 1, n + 1); V[1:n, 1:n] <- V[1:n, 1:n] + diag(ve, n)
  V[n + 1, ] <- c(rep(b_yz * vz, n), vz); V[, n + 1] <- V[n + 1, ]
  r <- c(d$mathach[cl], d$disclim[cl[1]]) - c(rep(my, n), mz)
  R <- chol(V); z <- backsolve(R, r, transpose = TRUE)
  total <- total - 0.5 * ((n + 1) * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z^2))
}
fm <- fitMeasures(fit, c("logl", "npar"))
b <- parameterEstimates(fit_mlr)
est <- list()
for (i in which(pe$se > 0 & !is.na(pe$se))) est[[paste0("L", pe$level[i], ":", pe$lhs[i], pe$op[i], pe$rhs[i])]] <- list(est = pe$est[i], se_ml = pe$se[i], se_mlr = b$se[i])
cat(sprintf("hsb_between: logl %.4f dense %.4f npar %d\n", fm[["logl"]], total, as.integer(fm[["npar"]])))
res <- list(package = "lavaan", versions = peer_versions(c("lavaan")), data = "hsb/hsb.dat",
            key_note = "L<level>:<lhs><op><rhs>, level 1 = within, 2 = between",
            models = list(hsb_between = list(lavaan_model = syntax,
              call = "sem(model, data, cluster = 'school', estimator = 'ML' | 'MLR', information = 'observed')",
              logl = unname(fm[["logl"]]), loglik_conditional = total, npar = unname(fm[["npar"]]), nobs = nobs(fit),
              estimates = est, elapsed = t$elapsed)))
peer_write(opt, "twolevel_betweenonly_lavaan.json", res)
