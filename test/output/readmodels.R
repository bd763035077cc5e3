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
# OUTPUT: CINTERVAL / STANDARDIZED / SVALUES sections, when printed
ci <- m$parameters$ci.unstandardized
if (!is.null(ci) && (nrow(ci) != nrow(p) || !all(abs(ci$est - p$est) < 1e-9))) stop("confidence intervals")
if (!is.null(ci) && !all(ci$low2.5 <= ci$est & ci$est <= ci$up2.5)) stop("confidence interval bounds")
if (grepl("STDYX Standardization", paste(readLines(outFile), collapse = "\n"), fixed = TRUE) &&
    (is.null(m$parameters$stdyx.standardized) || is.null(m$parameters$r2))) stop("standardized results")
sv <- m$parameters$svalues
if (!is.null(sv) && is.null(sv$LatentClass)) for (i in seq_len(nrow(p))) {
  k <- sv$paramHeader == p$paramHeader[i] & sv$param == p$param[i]
  if (sum(k) != 1 || abs(sv$est[k] - p$est[i]) > 0.0005 + 1e-9) stop("SVALUES row ", p$paramHeader[i], " ", p$param[i])
}
if (!is.null(j$class_variables) && !is.null(j$class_variables$counts[[1]])) {
  # several class variables: pattern counts, then the marginal counts of each class variable
  cc <- m$class_counts
  if (!all(cc$mostLikely.patterns$count == j$classes$most_likely$count)) stop("most likely pattern counts")
  if (!all(abs(cc$posteriorProb.patterns$count - j$classes$posterior$count) <= 0.000005 + 1e-9)) stop("posterior pattern counts")
  marg <- function(basis) unlist(lapply(j$class_variables$counts, function(d) d[[basis]]$count))
  if (!all(cc$mostLikely$count == marg("most_likely"))) stop("most likely counts per class variable")
  if (!all(abs(cc$posteriorProb$count - marg("posterior")) <= 0.000005 + 1e-9)) stop("posterior counts per class variable")
  if (!all(cc$mostLikely$variable == rep(j$class_variables$name, j$class_variables$classes))) stop("class variable names")
} else if (!is.null(j$classes)) {
  ml <- m$class_counts$mostLikely
  if (!all(ml$count == j$classes$most_likely$count)) stop("most likely class counts")
  po <- m$class_counts$posteriorProb
  if (!all(abs(po$count - j$classes$posterior$count) <= 0.000005 + 1e-9)) stop("posterior class counts")
}
# input warnings (JSON entries with a `command` field): each block must be among readModels' warnings
jw <- fromJSON(jsonFile, simplifyVector = FALSE)$warnings
for (w in Filter(function(w) "command" %in% names(w), jw)) {
  first <- trimws(strsplit(w$text, "\n", fixed = TRUE)[[1]][1])
  if (!any(vapply(m$warnings, function(x) identical(trimws(x[1]), first), logical(1)))) stop("input warning not read: ", first)
}
# TECH11 / TECH14: MplusAutomation's summary columns
if (!is.null(j$tech11)) {
  if (!close(s$T11_VLMR_PValue, j$tech11$pvalue, 0.00005 + 1e-9)) stop("T11_VLMR_PValue ", s$T11_VLMR_PValue)
  if (!close(s$T11_LMR_PValue, j$tech11$lmr_adjusted$pvalue, 0.00005 + 1e-9)) stop("T11_LMR_PValue")
  if (!close(s$T11_VLMR_2xLLDiff, j$tech11$lrt)) stop("T11_VLMR_2xLLDiff")
  if (!close(s$T11_KM1LL, j$tech11$h0_loglikelihood)) stop("T11_KM1LL")
}
if (!is.null(j$tech14)) {
  if (!close(s$BLRT_PValue, j$tech14$pvalue, 0.00005 + 1e-9)) stop("BLRT_PValue ", s$BLRT_PValue)
  if (!close(s$BLRT_KM1LL, j$tech14$h0_loglikelihood)) stop("BLRT_KM1LL")
  if (s$BLRT_SuccessfulDraws != j$tech14$successful_draws) stop("BLRT_SuccessfulDraws")
}
# LATENT TRANSITION PROBABILITIES: MplusAutomation's class_counts$transitionProbs (from, to, probability)
if (!is.null(j$latent_transitions)) {
  tp <- m$class_counts$transitionProbs
  if (is.null(tp)) stop("transitionProbs not read")
  for (k in seq_len(nrow(j$latent_transitions))) {
    P <- j$latent_transitions$probabilities[[k]]
    for (a in seq_len(nrow(P))) for (b in seq_len(ncol(P))) {
      sel <- tp$from == paste0(j$latent_transitions$from[k], ".", a) & tp$to == paste0(j$latent_transitions$to[k], ".", b)
      if (sum(sel) != 1 || !close(tp$probability[sel], P[a, b])) stop("transition ", a, " -> ", b)
    }
  }
}
nIn <- length(Filter(function(w) "command" %in% names(w), jw))
extra <- c(if (nIn > 0) paste(nIn, "input warnings"), if (!is.null(j$tech11)) "tech11", if (!is.null(j$tech14)) "tech14", if (!is.null(j$latent_transitions)) "transitions")
cat(paste(c("OK", nrow(jp), "parameters", extra), collapse = " "), "\n", sep = "")
}
for (i in seq(1, length(args), by = 2)) check(args[i], args[i + 1])
