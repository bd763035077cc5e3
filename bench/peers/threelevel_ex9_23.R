# Peer fits for Mplus User's Guide ex9.23 (three-level growth model, TYPE = THREELEVEL), issue 5.
#   Rscript bench/peers/threelevel_ex9_23.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/threelevel_ex9_23.json
#
# Data mplus-ug/ex9.23.dat: y1-y4 x w z level2 level3 (7500 rows = persons, 1500 level-2 clusters,
# 50 level-3 clusters). The Mplus model
#   %WITHIN% iw sw | y1@0 y2@1 y3@2 y4@3; iw sw ON x;
#   %BETWEEN level2% ib2 sb2 | y1@0 y2@1 y3@2 y4@3; ib2 sb2 ON w;
#   %BETWEEN level3% ib3 sb3 | y1@0 y2@1 y3@2 y4@3; ib3 sb3 ON z;
# is, in long format (time t = 0..3, one record per person and time), the linear mixed model
#   y ~ t * (x + w + z)                              fixed: means of ib3 sb3 and the six ON slopes
#     + (1 + t | person) + (1 + t | level2) + (1 + t | level3)   growth-factor (residual) covariances
#     + level-2 and level-3 effects per (cluster, time)           residual variances of y1-y4 there
#     + residual                                                  within residual variances of y1-y4.
# Fits (ML; an LMM's Laplace approximation in glmmTMB is exact):
#   equal  : residual variances equal over time at each level (Mplus `y1-y4 (e1)` etc.), lme4 and glmmTMB
#   l3zero : the Mplus defaults of the UG input: time-specific residual variances within and at level 2
#            (glmmTMB diag(0 + ft | level2), dispformula ~ 0 + ft), level-3 residual variances fixed at 0
#            (OpenMx's test inst/models/nightly/mplus-ex9.23.R fits this model and notes its -56044.82
#            "matches Mplus")
# Standard errors: glmmTMB's observed-information covariance of its internal parameters, mapped to
# Mplus's parameters (variances, covariances) by the delta method (numDeriv Jacobian). About 90 s.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages({ library(lme4); library(glmmTMB); library(numDeriv) })

opt <- peer_args()
w <- peer_read(opt, "mplus-ug/ex9.23.dat", c("y1", "y2", "y3", "y4", "x", "w", "z", "level2", "level3"))
n <- nrow(w)
d <- data.frame(person = factor(rep(seq_len(n), each = 4)), t = rep(0:3, n),
                y = as.vector(t(as.matrix(w[, c("y1", "y2", "y3", "y4")]))),
                x = rep(w$x, each = 4), w = rep(w$w, each = 4), z = rep(w$z, each = 4),
                level2 = factor(rep(w$level2, each = 4)), level3 = factor(rep(w$level3, each = 4)))
d$ft <- factor(d$t)
for (k in 0:3) d[[paste0("d", k)]] <- as.numeric(d$t == k)

# glmmTMB internal parameters -> Mplus parameter vector (named), for the delta method.
# glmmTMB: theta of a 2x2 us term = (log sd1, log sd2, c) with rho = c / sqrt(1 + c^2); diag term:
# log sds; gaussian dispersion betad = log sigma^2 (check_sigma2_lme4 in the JSON = 'W Y' of `equal`).
fixed_map <- c("(Intercept)" = "[IB3]", "t" = "[SB3]", "x" = "IW ON X", "t:x" = "SW ON X",
               "w" = "IB2 ON W", "t:w" = "SB2 ON W", "z" = "IB3 ON Z", "t:z" = "SB3 ON Z")

mplus_params <- function(fit, par) {
  # par: the full internal vector (beta, betad, theta) of fit$obj
  nb <- length(fixef(fit)$cond); nd <- length(fixef(fit)$disp)
  beta <- par[seq_len(nb)]; betad <- par[nb + seq_len(nd)]; th <- par[-seq_len(nb + nd)]
  names(beta) <- names(fixef(fit)$cond)
  out <- c()
  for (nm in names(fixed_map)) out[fixed_map[[nm]]] <- beta[[nm]]
  terms <- fit$modelInfo$reTrms$cond$cnms
  i <- 1L
  for (k in seq_along(terms)) {
    g <- names(terms)[k]; cn <- terms[[k]]
    # grouping factors person, level2, level3, and level2:ft / level3:ft for the per-(cluster, time) effects
    lev <- if (g == "person") "W" else if (startsWith(g, "level2")) "L2" else "L3"
    if (length(cn) == 2L && cn[1] == "(Intercept)") {
      s1 <- exp(th[i]); s2 <- exp(th[i + 1L]); cc <- th[i + 2L]; rho <- cc / sqrt(1 + cc^2); i <- i + 3L
      f <- c(W = "W", L2 = "2", L3 = "3")[[lev]]
      out[paste0(lev, " I", f, "")] <- s1^2; out[paste0(lev, " S", f)] <- s2^2
      out[paste0(lev, " I", f, " WITH S", f)] <- s1 * s2 * rho
    } else if (length(cn) == 1L) {           # (1 | level:time): equal residual variance
      out[paste0(lev, " Y")] <- exp(th[i])^2; i <- i + 1L
    } else {                                  # diag(0 + ft | level)
      for (j in 1:4) out[paste0(lev, " Y", j)] <- exp(th[i + j - 1L])^2
      i <- i + 4L
    }
  }
  if (nd == 1L) out["W Y"] <- exp(betad) else for (j in 1:4) out[paste0("W Y", j)] <- exp(betad[j])
  out
}

tmb_summary <- function(fit) {
  par <- fit$fit$par
  est <- mplus_params(fit, par)
  J <- jacobian(function(p) mplus_params(fit, p), par)
  V <- vcov(fit, full = TRUE)
  se <- sqrt(diag(J %*% V %*% t(J)))
  list(loglik = as.numeric(logLik(fit)), npar = attr(logLik(fit), "df"), convergence = fit$fit$convergence,
       estimates = lapply(setNames(seq_along(est), names(est)), function(k) list(est = est[[k]], se = se[[k]])))
}

fit_equal_lme4 <- function() lmer(y ~ t * (x + w + z) + (1 + t | person) + (1 + t | level2) + (1 | level2:ft) +
                 (1 + t | level3) + (1 | level3:ft), data = d, REML = FALSE,
               control = lmerControl(check.nobs.vs.nlev = "ignore", check.nobs.vs.nRE = "ignore", optimizer = "bobyqa"))
if (opt$time) {          # benchmark mode: the lme4 fit only, nothing written
  t <- peer_timed(fit_equal_lme4())
  peer_time_report("ex9.23-equal", t)
  quit(status = 0L)
}

fits <- list()
t0 <- proc.time()[["elapsed"]]
m_lme4 <- fit_equal_lme4()
cat(sprintf("lme4 equal: loglik %.4f df %d (%.0f s)\n", as.numeric(logLik(m_lme4)), attr(logLik(m_lme4), "df"),
            proc.time()[["elapsed"]] - t0))
vc <- as.data.frame(VarCorr(m_lme4))
fits$equal_lme4 <- list(call = "lmer(y ~ t * (x + w + z) + (1 + t | person) + (1 + t | level2) + (1 | level2:ft) + (1 + t | level3) + (1 | level3:ft), REML = FALSE)",
  loglik = as.numeric(logLik(m_lme4)), npar = attr(logLik(m_lme4), "df"),
  fixed = lapply(setNames(names(fixed_map), fixed_map), function(nm) list(est = fixef(m_lme4)[[nm]], se = sqrt(diag(as.matrix(vcov(m_lme4))))[[nm]])),
  varcorr = lapply(seq_len(nrow(vc)), function(k) list(grp = vc$grp[k], var1 = vc$var1[k], var2 = vc$var2[k], vcov = vc$vcov[k])))

ctl <- glmmTMBControl(optCtrl = list(iter.max = 2000, eval.max = 2000))
run_tmb <- function(label, formula, disp) {
  t0 <- proc.time()[["elapsed"]]
  f <- glmmTMB(formula, dispformula = disp, data = d, REML = FALSE, control = ctl)
  s <- tmb_summary(f)
  s$call <- paste(deparse(formula, width.cutoff = 500L), collapse = " ")
  s$dispformula <- paste(deparse(disp), collapse = " ")
  s$elapsed <- proc.time()[["elapsed"]] - t0
  cat(sprintf("%s: loglik %.4f df %d conv %d (%.0f s)\n", label, s$loglik, s$npar, s$convergence, s$elapsed))
  s
}
fits$equal <- run_tmb("glmmTMB equal", y ~ t * (x + w + z) + (1 + t | person) + (1 + t | level2) + (1 | level2:ft) +
                        (1 + t | level3) + (1 | level3:ft), ~ 1)
# (with free level-3 residual variances too the glmmTMB fit fails: their ML estimates are negative, which
# a variance-component program cannot represent; plusmix's run of that variant is not peer-checked)
fits$l3zero <- run_tmb("glmmTMB l3zero", y ~ t * (x + w + z) + (1 + t | person) + (1 + t | level2) + diag(0 + ft | level2) +
                         (1 + t | level3), ~ 0 + ft)
# dispersion scale check: glmmTMB's residual variance vs lme4's sigma^2 on the same (equal) model
fits$equal$check_sigma2_lme4 <- sigma(m_lme4)^2

res <- list(package = "glmmTMB + lme4", versions = peer_versions(c("glmmTMB", "lme4", "TMB", "numDeriv")),
            data = "mplus-ug/ex9.23.dat", long_format = "30000 records (7500 persons x 4 times), t = 0..3",
            parameter_names = "Mplus: [IB3] [SB3] means; 'IW ON X' ...; 'W IW' = within variance of IW, 'L2 S2' = level-2 variance of SB2, 'L3 Y2' = level-3 residual variance of y2, 'W Y' = common within residual variance",
            models = fits)
peer_write(opt, "threelevel_ex9_23.json", res)
