# Peer fit for the conventional two-level random-slope regression (first seed paper, end of section 2.2)
# on fixtures/sim/twolevel_conventional.dat, used by test/estimate/integration.test.ts.
#   Rscript test/estimate/peers/conventional_lme4.R > test/estimate/peers/conventional_lme4.json
# Mplus model: %WITHIN% s | y ON x; %BETWEEN% y s ON w; (intercept and slope uncorrelated), i.e.
# lme4 y ~ x * w + (1 | cluster) + (0 + x | cluster) by ML: 4 fixed effects + 3 variances = 7 parameters.
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
a <- commandArgs(trailingOnly = FALSE)
root <- normalizePath(file.path(dirname(sub("^--file=", "", a[grepl("^--file=", a)][1L])), "..", "..", ".."))
d <- read.table(file.path(root, "fixtures", "sim", "twolevel_conventional.dat"), col.names = c("y", "x", "w", "cluster"))
f <- lmer(y ~ x * w + (1 | cluster) + (0 + x | cluster), data = d, REML = FALSE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-10)))
vc <- as.data.frame(VarCorr(f))
out <- list(
  package = "lme4", version = as.character(packageVersion("lme4")), R = R.version.string,
  call = "lmer(y ~ x * w + (1 | cluster) + (0 + x | cluster), REML = FALSE)",
  loglik = as.numeric(logLik(f)), npar = attr(logLik(f), "df"),
  fixed = as.list(fixef(f)),
  var_intercept = vc$vcov[vc$grp == "cluster"], var_slope = vc$vcov[vc$grp == "cluster.1"], residual = vc$vcov[vc$grp == "Residual"]
)
cat(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
