# Shared helpers of the peer scripts in bench/peers/ (sourced by each of them).
#
# Every peer script takes the same command line:
#   Rscript bench/peers/<script>.R [--data DIR] [--out DIR] [--time]
#     --data DIR  folder holding the data sets with their sub-folders (hsb/, sim/, mplus-ug/);
#                 default: the project's fixtures/ folder.
#     --out DIR   where the JSON result goes; default: the project's fixtures/peers/.
#     --time      benchmark mode: fit only the model(s) that `npm run bench` compares with plusmix,
#                 write nothing, print one JSON line {"script", "fits", "elapsed", "cpu", "process_cpu"}
#                 on stdout (fit wall seconds, fit CPU seconds, CPU seconds of the whole R process).
# Run from anywhere: paths default relative to the project root (two levels above this file).

suppressPackageStartupMessages(library(jsonlite))

peer_script_path <- function() {
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f) == 0L) stop("run the peer scripts with Rscript")
  normalizePath(f[1L])
}

peer_root <- function() normalizePath(file.path(dirname(peer_script_path()), "..", ".."))

peer_args <- function() {
  a <- commandArgs(trailingOnly = TRUE)
  opt <- list(data = file.path(peer_root(), "fixtures"),
              out = file.path(peer_root(), "fixtures", "peers"),
              time = FALSE)
  i <- 1L
  while (i <= length(a)) {
    if (a[i] == "--time") {
      opt$time <- TRUE
    } else if (a[i] %in% c("--data", "--out") && i < length(a)) {
      opt[[sub("^--", "", a[i])]] <- a[i + 1L]
      i <- i + 1L
    } else {
      stop("unknown argument: ", a[i], "\nusage: Rscript <script>.R [--data DIR] [--out DIR] [--time]")
    }
    i <- i + 1L
  }
  opt
}

#' Read a whitespace-separated data file of the project (no header) with the given column names.
peer_read <- function(opt, rel, names) {
  path <- file.path(opt$data, rel)
  if (!file.exists(path)) stop("data file not found: ", path, " (give the data folder with --data DIR)")
  d <- utils::read.table(path, header = FALSE, col.names = names)
  stopifnot(ncol(d) == length(names))
  d
}

#' Package versions as a named list (R itself included).
peer_versions <- function(pkgs) {
  v <- list(R = paste(R.version$major, R.version$minor, sep = "."))
  for (p in pkgs) v[[p]] <- as.character(utils::packageVersion(p))
  v
}

#' Time an expression: returns list(value, elapsed = wall seconds, cpu = CPU seconds of this process).
peer_timed <- function(expr) {
  t0 <- proc.time()
  value <- force(expr)
  t1 <- proc.time()
  list(value = value, elapsed = t1[["elapsed"]] - t0[["elapsed"]],
       cpu = (t1[["user.self"]] + t1[["sys.self"]]) - (t0[["user.self"]] + t0[["sys.self"]]))
}

#' Named list of {est, se} from two named vectors.
est_se <- function(est, se) {
  out <- list()
  for (n in names(est)) out[[n]] <- list(est = unname(est[[n]]), se = unname(se[[n]]))
  out
}

#' Write the result list as JSON (full precision) into opt$out/<file>.
peer_write <- function(opt, file, res) {
  dir.create(opt$out, showWarnings = FALSE, recursive = TRUE)
  res$generated_by <- paste0("bench/peers/", basename(peer_script_path()))
  res$generated_at <- format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
  path <- file.path(opt$out, file)
  writeLines(jsonlite::toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
             path)
  cat("wrote ", path, "\n", sep = "")
}

#' The --time mode's single line on stdout: the fit's wall and CPU seconds, and the CPU seconds of the
#' whole R process so far (start-up, package loading, data reading and the fit).
peer_time_report <- function(fits, t) {
  pt <- proc.time()
  cat(jsonlite::toJSON(list(script = basename(peer_script_path()), fits = fits, elapsed = t$elapsed, cpu = t$cpu,
                            process_cpu = pt[["user.self"]] + pt[["sys.self"]]),
                       auto_unbox = TRUE, digits = NA), "\n", sep = "")
}

# ---------------------------------------------------------------------------------------------
# Exact ML log-likelihood of a two-level linear model, written independently of lme4 / nlme:
#   y_j ~ N(X_j beta, Z_j Tau Z_j' + diag(sigma2[g_ij]))   for each cluster j,
# with Tau unstructured (parameterised by its lower-triangle elements, variances and covariances, as
# Mplus reports them) and one residual variance per residual group g (one group = homoscedastic).
# Used (a) to check the peers' log-likelihoods and (b) to get standard errors of the variance
# components (observed and expected information, MLR sandwich), which lme4 does not report.
# ---------------------------------------------------------------------------------------------
lmm_loglik_factory <- function(y, X, Z, cluster, resgroup = rep(1L, length(y))) {
  idx <- split(seq_along(y), cluster)
  q <- ncol(Z)
  p <- ncol(X)
  ng <- max(resgroup)
  lt <- which(lower.tri(diag(q), diag = TRUE), arr.ind = TRUE)   # column-major lower triangle
  unpack <- function(theta) {
    beta <- theta[seq_len(p)]
    tv <- theta[p + seq_len(nrow(lt))]
    Tau <- matrix(0, q, q)
    Tau[lt] <- tv
    Tau[lt[, 2:1, drop = FALSE]] <- tv
    list(beta = beta, Tau = Tau, sigma2 = theta[p + nrow(lt) + seq_len(ng)])
  }
  # per-cluster log-likelihood contributions (the cluster is the independent unit of MLR's scores)
  per_cluster <- function(theta) {
    u <- unpack(theta)
    out <- numeric(length(idx))
    for (j in seq_along(idx)) {
      ii <- idx[[j]]
      Zj <- Z[ii, , drop = FALSE]
      V <- Zj %*% u$Tau %*% t(Zj)
      diag(V) <- diag(V) + u$sigma2[resgroup[ii]]
      R <- tryCatch(chol(V), error = function(e) NULL)
      if (is.null(R)) return(rep(-Inf, length(idx)))
      r <- y[ii] - X[ii, , drop = FALSE] %*% u$beta
      z <- backsolve(R, r, transpose = TRUE)
      out[j] <- -0.5 * (length(ii) * log(2 * pi) + 2 * sum(log(diag(R))) + sum(z * z))
    }
    out
  }
  f <- function(theta) sum(per_cluster(theta))
  # Expected (Fisher) information: block diagonal, sum_j X_j' V_j^-1 X_j for the fixed effects and
  # 1/2 tr(V^-1 dV_a V^-1 dV_b) for the variance parameters. Its fixed-effect block is what lme4's and
  # nlme's vcov() invert; the observed information (numerical Hessian) also has fixed x variance cross
  # terms that are not zero at the maximum, which can change fixed-effect SEs noticeably.
  expected_info <- function(theta) {
    u <- unpack(theta)
    nv <- nrow(lt) + ng
    Ib <- matrix(0, p, p)
    It <- matrix(0, nv, nv)
    for (ii in idx) {
      Zj <- Z[ii, , drop = FALSE]
      Xj <- X[ii, , drop = FALSE]
      V <- Zj %*% u$Tau %*% t(Zj)
      diag(V) <- diag(V) + u$sigma2[resgroup[ii]]
      Vi <- chol2inv(chol(V))
      Ib <- Ib + t(Xj) %*% Vi %*% Xj
      A <- vector("list", nv)                       # V^-1 dV/dtheta_k
      for (k in seq_len(nrow(lt))) {
        a <- lt[k, 1]; b <- lt[k, 2]
        dV <- if (a == b) tcrossprod(Zj[, a]) else tcrossprod(Zj[, a], Zj[, b]) + tcrossprod(Zj[, b], Zj[, a])
        A[[k]] <- Vi %*% dV
      }
      for (g in seq_len(ng)) A[[nrow(lt) + g]] <- Vi %*% diag(as.numeric(resgroup[ii] == g), length(ii))
      for (k in seq_len(nv)) for (l in k:nv) {
        v <- 0.5 * sum(A[[k]] * t(A[[l]]))
        It[k, l] <- It[k, l] + v
        if (l != k) It[l, k] <- It[l, k] + v
      }
    }
    out <- matrix(0, p + nv, p + nv)
    out[seq_len(p), seq_len(p)] <- Ib
    out[p + seq_len(nv), p + seq_len(nv)] <- It
    out
  }
  vc_names <- function(re_names, res_names) {
    tn <- ifelse(lt[, 1] == lt[, 2], paste0("var(", re_names[lt[, 1]], ")"),
                 paste0("cov(", re_names[lt[, 2]], ",", re_names[lt[, 1]], ")"))
    c(tn, res_names)
  }
  # theta layout: beta, lower triangle of Tau in column-major order, residual variances
  pack <- function(beta, Tau, sigma2) c(beta, Tau[lt], sigma2)
  list(loglik = f, per_cluster = per_cluster, pack = pack, unpack = unpack, vc_names = vc_names,
       expected_info = expected_info)
}

#' Standard errors from the observed information: sqrt(diag(solve(-H))), H = numerical Hessian.
observed_se <- function(f, theta) {
  H <- numDeriv::hessian(f, theta)
  sqrt(diag(solve(-H)))
}

#' Fixed effects and variance components of a two-level linear model, by name:
#'   fixed:   {est, se (the peer's own, given as peer_se), se_observed, se_expected, se_mlr}
#'   varcomp: {est, se_observed, se_expected, se_mlr}
#' se_observed: inverse of the observed information A (numerical Hessian of L$loglik, all parameters
#' jointly); se_expected: inverse of the expected information; se_mlr: sandwich A^-1 B A^-1 with B the
#' sum of outer products of the per-cluster scores (Mplus's MLR for TYPE = TWOLEVEL, no G/(G-1) factor).
lmm_estimates <- function(L, theta, names, peer_se) {
  Ainv <- solve(-numDeriv::hessian(L$loglik, theta))
  se_obs <- sqrt(diag(Ainv))
  se_exp <- sqrt(diag(solve(L$expected_info(theta))))
  S <- numDeriv::jacobian(L$per_cluster, theta)
  se_mlr <- sqrt(diag(Ainv %*% crossprod(S) %*% Ainv))
  p <- length(peer_se)
  fixed <- list()
  varcomp <- list()
  for (i in seq_along(names)) {
    e <- list(est = theta[i])
    if (i <= p) e$se <- unname(peer_se[i])
    e$se_observed <- se_obs[i]
    e$se_expected <- se_exp[i]
    e$se_mlr <- se_mlr[i]
    if (i <= p) fixed[[names[i]]] <- e else varcomp[[names[i]]] <- e
  }
  list(fixed = fixed, varcomp = varcomp)
}

#' Maximise L$loglik freely from theta (BFGS, restarted once): no bound keeping the random-effect
#' covariance matrix positive semi-definite (only every cluster's V must stay positive definite), which
#' lme4 and nlme impose through their parameterisations. Shows whether the peer stopped at the maximum.
lmm_free_maximum <- function(L, theta, names) {
  negf <- function(t) -L$loglik(t)
  o <- optim(theta, negf, method = "BFGS", control = list(maxit = 1000, reltol = 1e-14, parscale = pmax(abs(theta), 0.01)))
  o <- optim(o$par, negf, method = "BFGS", control = list(maxit = 1000, reltol = 1e-15, parscale = pmax(abs(o$par), 0.01)))
  list(loglik = -o$value, max_abs_gradient = max(abs(numDeriv::grad(L$loglik, o$par))),
       tau_eigenvalues = eigen(L$unpack(o$par)$Tau, only.values = TRUE)$values,
       estimates = as.list(setNames(o$par, names)))
}
