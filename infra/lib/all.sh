# Runs one verb of every service script in parallel and reports per service. Sourced by up.sh,
# down.sh and status.sh.

SERVICES=(zookeeper redis kafka hdfs)

# The Debian packages the services need, installed together by whichever script comes first.
export SQUALL_APT_BATCH="${SQUALL_APT_BATCH-$ZOOKEEPER_PACKAGES $REDIS_PACKAGES}"

# run_all VERB: each service's output goes straight to ours (its lines carry its name); a summary
# with the time each took follows. Returns non-zero if any service failed.
run_all() {
  local verb="$1" svc failed=0 start rc took
  local -A pids=()
  local times
  times="$(mktemp -d)"
  start=$(date +%s)
  for svc in "${SERVICES[@]}"; do
    (
      local begin=$SECONDS
      if bash "$INFRA_DIR/$svc.sh" "$verb"; then rc=0; else rc=$?; fi
      echo "$rc $((SECONDS - begin))" >"$times/$svc"
      exit "$rc"
    ) 9>&- &
    pids[$svc]=$!
  done
  for svc in "${SERVICES[@]}"; do
    wait "${pids[$svc]}" || true
  done
  say "summary of '$verb' (total $(elapsed_since "$start")):"
  for svc in "${SERVICES[@]}"; do
    read -r rc took <"$times/$svc" 2>/dev/null || { rc=1 took='?'; }
    if ((rc == 0)); then
      printf '  %-10s ok       %4ss\n' "$svc" "$took"
    else
      printf '  %-10s FAILED   %4ss   (exit %s; see its messages above)\n' "$svc" "$took" "$rc"
      failed=1
    fi
  done
  rm -rf "$times"
  return "$failed"
}
