# Peer fits for the User's Guide chapter 3 regressions of issue 4.
#   Rscript bench/peers/ex3_lm_multinom.R [--data DIR] [--out DIR] [--time]   -> fixtures/peers/ex3.json
#
# ex3.1 (mplus-ug/ex3.1.dat, y1 x1 x3): linear regression y1 ON x1 x3 -> lm(y1 ~ x1 + x3).
#   Mplus: 4 parameters (intercept, 2 slopes, residual variance), ML. lm's SEs use the n - p divisor;
#   se_ml rescales them to the ML residual variance RSS / n (what Mplus prints); the residual variance's
#   ML SE is sqrt(2 sigma^4 / n).
# ex3.6 (mplus-ug/ex3.6.dat, u1 x1 x3; u1 in {0, 1, 2}): multinomial logistic regression u1 ON x1 x3
#   (NOMINAL IS u1) -> nnet::multinom. Mplus takes the LAST category as reference: u1#1 = log(P0/P2),
#   u1#2 = log(P1/P2); the fit is done with category 2 as reference level so the coefficients are
#   Mplus's directly. SEs from multinom's Hessian (observed information). 6 parameters.

get_script_dir <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  dirname(normalizePath(sub("^--file=", "", a[grepl("^--file=", a)][1L])))
}
source(file.path(get_script_dir(), "common.R"))
suppressPackageStartupMessages(library(nnet))

opt <- peer_args()
d1 <- peer_read(opt, "mplus-ug/ex3.1.dat", c("y1", "x1", "x3"))
d6 <- peer_read(opt, "mplus-ug/ex3.6.dat", c("u1", "x1", "x3"))
d6$u1f <- relevel(factor(d6$u1, levels = c(0, 1, 2)), ref = "2")
fit_multinom <- function() multinom(u1f ~ x1 + x3, data = d6, Hess = TRUE, reltol = 1e-14, maxit = 1000, trace = FALSE)

if (opt$time) {
  t <- peer_timed({ lm(y1 ~ x1 + x3, data = d1); fit_multinom() })
  peer_time_report(c("ex3.1 lm", "ex3.6 multinom"), t)
  quit(status = 0L)
}

# --- ex3.1
t1 <- peer_timed(lm(y1 ~ x1 + x3, data = d1))
m1 <- t1$value
n1 <- nrow(d1)
p1 <- length(coef(m1))
s2_ml <- sum(residuals(m1)^2) / n1
se_lm <- sqrt(diag(vcov(m1)))
fixed1 <- est_se(coef(m1), se_lm)
for (nme in names(fixed1)) fixed1[[nme]]$se_ml <- unname(se_lm[[nme]] * sqrt((n1 - p1) / n1))
ex31 <- list(
  call = "lm(y1 ~ x1 + x3, data = d1)",
  loglik = as.numeric(logLik(m1)), npar = attr(logLik(m1), "df"), nobs = n1,
  AIC = AIC(m1), BIC = BIC(m1),
  coefficients = fixed1,
  residual_variance = list(est = s2_ml, se = sqrt(2 * s2_ml^2 / n1),
                           note = "ML estimate RSS / n; lm's sigma^2 (RSS / (n - p)) is given as residual_variance_lm"),
  residual_variance_lm = summary(m1)$sigma^2,
  elapsed = t1$elapsed
)

# --- ex3.6
t6 <- peer_timed(fit_multinom())
m6 <- t6$value
cf <- coef(m6)                                  # rows: categories "0", "1"; columns: (Intercept), x1, x3
se <- summary(m6)$standard.errors
coefs6 <- list()
for (r in rownames(cf)) {
  lab <- paste0("u1#", as.integer(r) + 1L)      # Mplus labels category k (0-based) as u1#(k+1)
  for (cn in colnames(cf)) coefs6[[paste0(lab, ".", cn)]] <- list(est = cf[r, cn], se = se[r, cn])
}
ex36 <- list(
  call = "multinom(relevel(factor(u1), ref = '2') ~ x1 + x3, data = d6, Hess = TRUE, reltol = 1e-14, maxit = 1000)",
  loglik = as.numeric(logLik(m6)), npar = attr(logLik(m6), "df"), nobs = nrow(d6),
  AIC = AIC(m6), BIC = -2 * as.numeric(logLik(m6)) + log(nrow(d6)) * attr(logLik(m6), "df"),
  category_counts = as.list(table(d6$u1)),
  reference_category = 2,
  coefficients = coefs6,
  elapsed = t6$elapsed
)

res <- list(package = "stats::lm, nnet::multinom", versions = peer_versions(c("stats", "nnet")),
            data = c("mplus-ug/ex3.1.dat", "mplus-ug/ex3.6.dat"),
            models = list(ex3_1 = ex31, ex3_6 = ex36))
cat(sprintf("ex3.1 lm: loglik %.4f (%d params); ex3.6 multinom: loglik %.4f (%d params)\n",
            ex31$loglik, ex31$npar, ex36$loglik, ex36$npar))
peer_write(opt, "ex3.json", res)
