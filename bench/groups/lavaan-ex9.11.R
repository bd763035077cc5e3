# Reference fits for plusmix multiple-group analysis (issue #5, UG ex9.11).
# Run: cd bench/groups && Rscript lavaan-ex9.11.R ../../examples/ug9/ex9.11.dat
# Data: y1-y6 g clus (UG ex9.11; g = 1 in 1000 rows, 2 in 800 rows; g constant within clus).
# Mplus multiple-group defaults mirrored here: loadings and intercepts equal across groups,
# factor means 0 in group 1 and free in group 2, everything else group-specific.
# lavaan's logl is the sum of the group log-likelihoods (no group-size term), as Mplus'.
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
f <- if (length(args)) args[1] else "ex9.11.dat"
d <- read.table(f, col.names = c(paste0("y", 1:6), "g", "clus"))
d$g <- factor(d$g, levels = c(1, 2), labels = c("g1", "g2"))
show <- function(tag, fit) {
  cat("==", tag, "\n")
  cat(sprintf("logl %.4f  npar %d\n", fitMeasures(fit, "logl"), fitMeasures(fit, "npar")))
  pe <- parameterEstimates(fit)
  keep <- intersect(c("lhs", "op", "rhs", "block", "group", "level", "label", "est", "se"), names(pe))
  pe <- pe[pe$op %in% c("=~", "~~", "~1", "~"), keep]
  pe$est <- round(pe$est, 5); pe$se <- round(pe$se, 5)
  print(pe, row.names = FALSE)
}
# (a) single level, clusters ignored
m1 <- 'f1 =~ y1 + y2 + y3
       f2 =~ y4 + y5 + y6'
fa <- cfa(m1, data = d, group = "g", group.equal = c("loadings", "intercepts"), estimator = "ML")
show("single-level CFA, loadings+intercepts equal", fa)
# (a') MODEL g2: [y1];  -> intercept of y1 free in group 2
fb <- cfa(m1, data = d, group = "g", group.equal = c("loadings", "intercepts"),
          group.partial = "y1 ~ 1", estimator = "ML")
show("single-level CFA, y1 intercept free in g2", fb)
# (b) two-level ex9.11: within fw1 fw2, between fb. lavaan 0.6.14 fails ("ov.names.l[[g]]:
# subscript out of bounds") on level: blocks combined with group.equal, so the groups are written
# out with `group:` blocks and equality labels: within loadings equal, between loadings and
# intercepts equal, fb mean 0 in g1 and free in g2; variances/residual variances per group.
lv <- function(fbmean) paste0('
level: 1
  fw1 =~ y1 + l2*y2 + l3*y3
  fw2 =~ y4 + l5*y5 + l6*y6
level: 2
  fb =~ y1 + b2*y2 + b3*y3 + b4*y4 + b5*y5 + b6*y6
  y1 ~ i1*1; y2 ~ i2*1; y3 ~ i3*1; y4 ~ i4*1; y5 ~ i5*1; y6 ~ i6*1
  fb ~ ', fbmean, '*1
')
m2 <- paste0('group: 1', lv('0'), 'group: 2', lv('NA'))
ft <- sem(m2, data = d, cluster = "clus", group = "g", estimator = "ML")
show("two-level ex9.11, loadings+intercepts equal", ft)
# (c) group 1 alone, two-level, nothing constrained: what plusmix runs today with
# USEOBSERVATIONS = g EQ 1 instead of GROUPING (plusmix -13948.795, 31 parameters).
m3 <- 'level: 1
         fw1 =~ y1 + y2 + y3
         fw2 =~ y4 + y5 + y6
       level: 2
         fb =~ y1 + y2 + y3 + y4 + y5 + y6'
f1 <- sem(m3, data = d[d$g == "g1", ], cluster = "clus", estimator = "ML")
cat("== two-level, group 1 alone\n")
cat(sprintf("logl %.4f  npar %d\n", fitMeasures(f1, "logl"), fitMeasures(f1, "npar")))
