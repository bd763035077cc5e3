# Check that MplusAutomation::readModels recovers from a plusmix .out file every parameter, the class
# counts and the fit statistics that plusmix meant to print (given as plusmix's --json of the same run).
# Usage: Rscript test/output/readmodels.R A.out A.json [B.out B.json ...] -> one "OK <n> parameters" line
# per pair, or stops. Exits with status 77 when MplusAutomation or jsonlite is not installed.
# Called by test/output/readmodels.test.ts.
if (!suppressMessages(requireNamespace("MplusAutomation", quietly = TRUE) && requireNamespace("jsonlite", quietly = TRUE))) quit(status = 77)
suppressMessages({ library(MplusAutomation); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
check <- function(outFile, jsonFile) {
m <- suppressWarnings(readModels(outFile, quiet = TRUE))
j <- fromJSON(jsonFile, simplifyVector = TRUE)
close <- function(a, b, tol = 0.0005 + 1e-9) isTRUE(abs(a - b) <= tol)
s <- m$summaries
if (!close(s$LL, j$fit$loglikelihood)) stop("LL ", s$LL, " vs ", j$fit$loglikelihood)
if (s$Parameters != j$fit$parameters) stop("Parameters")
for (k in c("AIC", "BIC", "aBIC")) {
  want <- j$fit[[c(AIC = "aic", BIC = "bic", aBIC = "abic")[[k]]]]
  if (!close(s[[k]], want)) stop(k, " ", s[[k]], " vs ", want)
}
if (!is.null(j$fit$entropy) && !close(s$Entropy, j$fit$entropy)) stop("Entropy")
if (!is.null(j$fit$scaling_correction) && !close(s$LLCorrectionFactor, j$fit$scaling_correction, 0.00005 + 1e-9)) stop("scaling")
p <- m$parameters$unstandardized
jp <- j$parameters
if (nrow(p) != nrow(jp)) stop("parameter rows ", nrow(p), " vs ", nrow(jp))
for (i in seq_len(nrow(jp))) {
  header <- gsub(" ", ".", jp$block[i])
  cls <- if (jp$categorical_latent[i]) "Categorical.Latent.Variables" else jp$class[i]
  sel <- p$paramHeader == header & p$param == jp$name[i]
  if (!is.null(p$LatentClass) && !is.na(cls)) sel <- sel & p$LatentClass == cls
  if (!is.null(p$BetweenWithin) && !is.na(jp$level[i])) sel <- sel & tolower(p$BetweenWithin) == jp$level[i]
  if (sum(sel) != 1) stop("parameter not found once: ", jp$level[i], " ", cls, " ", header, " ", jp$name[i])
  if (!close(p$est[sel], jp$estimate[i])) stop("estimate of ", header, " ", jp$name[i])
  if (!is.na(jp$se[i]) && !close(p$se[sel], jp$se[i])) stop("S.E. of ", header, " ", jp$name[i])
}
if (!is.null(j$classes)) {
  ml <- m$class_counts$mostLikely
  if (!all(ml$count == j$classes$most_likely$count)) stop("most likely class counts")
  po <- m$class_counts$posteriorProb
  if (!all(abs(po$count - j$classes$posterior$count) <= 0.000005 + 1e-9)) stop("posterior class counts")
}
cat("OK", nrow(jp), "parameters\n")
}
for (i in seq(1, length(args), by = 2)) check(args[i], args[i + 1])
