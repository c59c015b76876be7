# Runs one verb of every service script in parallel and reports per service. Sourced by up.sh,
# down.sh and status.sh.

SERVICES=(zookeeper redis kafka hdfs)

# run_all VERB: each service's output goes straight to ours (its lines carry its name); a summary
# with the time each took follows. Returns non-zero if any service failed.
run_all() {
  local verb="$1" svc failed=0 start
  local -A pids=() starts=() took=() rcs=()
  start=$(date +%s)
  for svc in "${SERVICES[@]}"; do
    starts[$svc]=$(date +%s)
    bash "$INFRA_DIR/$svc.sh" "$verb" 9>&- &
    pids[$svc]=$!
  done
  for svc in "${SERVICES[@]}"; do
    if wait "${pids[$svc]}"; then rcs[$svc]=0; else rcs[$svc]=$?; fi
    took[$svc]=$(($(date +%s) - starts[$svc]))
  done
  say "summary of '$verb' (total $(elapsed_since "$start")):"
  for svc in "${SERVICES[@]}"; do
    if ((rcs[$svc] == 0)); then
      printf '  %-10s ok       %4ss\n' "$svc" "${took[$svc]}"
    else
      printf '  %-10s FAILED   %4ss   (exit %s; see its messages above)\n' "$svc" "${took[$svc]}" "${rcs[$svc]}"
      failed=1
    fi
  done
  return "$failed"
}
