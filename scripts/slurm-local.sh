#!/usr/bin/env bash
# Start a single-node Slurm cluster on this machine (as root), for prednas's Slurm tests and for
# trying the README's Slurm recipes. Debian/Ubuntu: installs slurm-wlm and munge when missing.
# Idempotent: a cluster that already answers is left alone; a half-started one is completed.
#
#   sudo scripts/slurm-local.sh          # then: sinfo; srun hostname; sbatch --wrap 'sleep 1'
#
# Choices (each is what a single machine needs, not what a production cluster would use):
# - SlurmUser=root and the node's slurmd as root: no slurm user or state permissions to manage.
# - ProctrackType=proctrack/linuxproc, TaskPlugin=task/none: no cgroup set-up (containers often
#   lack a writable cgroup tree); processes are tracked through /proc.
# - SelectType=select/cons_tres with CR_Core: every job gets its own cores, so the number of jobs
#   running at once is bounded by the machine's CPUs and the rest queue, as on a real cluster.
# - The node line comes from `slurmd -C` (the CPUs, sockets, cores and memory slurmd detects), so
#   slurmd never refuses the node as "low memory" or "low cpus".
# - No slurmdbd (it needs a database server): JobCompType=jobcomp/filetxt records every finished
#   job (id, name, state, start, end) in $SLURM_LOCAL_JOBCOMP, which the tests read as Slurm's own
#   accounting; squeue/scontrol give the live state. MinJobAge=600 keeps finished jobs visible to
#   `scontrol show job` for 10 minutes.
set -euo pipefail
t0=$(date +%s%N)
if [ "$(id -u)" != 0 ]; then echo "slurm-local.sh: run as root (it writes /etc/slurm and starts daemons)" >&2; exit 1; fi

conf=/etc/slurm/slurm.conf
jobcomp=${SLURM_LOCAL_JOBCOMP:-/var/log/slurm/jobcomp.log}

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (e.g. the CI's browser install) may hold the dpkg lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq slurm-wlm munge >/dev/null
fi

# munge: one key shared by every Slurm daemon and client (a single machine: just this one).
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

host=$(hostname -s)
node=$(slurmd -C | head -n 1 | sed -E 's/ UpTime=.*//')   # NodeName=<host> CPUs=... RealMemory=...
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm "$(dirname "$jobcomp")"
cat > "$conf.new" <<CONF
# Written by prednas scripts/slurm-local.sh: a single-node cluster on $host.
ClusterName=prednas-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
MaxJobCount=100000
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$jobcomp
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
changed=1
if [ -f "$conf" ] && cmp -s "$conf" "$conf.new"; then changed=0; rm -f "$conf.new"; else mv "$conf.new" "$conf"; fi

# Through the pid files the config names (pgrep is in procps, which minimal images lack).
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! running /run/slurmctld.pid; then
  slurmctld
elif [ "$changed" = 1 ]; then
  scontrol reconfigure
fi
running /run/slurmd.pid || slurmd

# Ready when the node is idle (or allocated) in the default partition.
for i in $(seq 300); do
  state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
  case "$state" in idle*|mixed*|allocated*|completing*) break ;; esac
  if [ "$i" = 300 ]; then echo "slurm-local.sh: node $host not ready after 30 s (state '$state'); see /var/log/slurm/" >&2; exit 1; fi
  sleep 0.1
done
# The node may be left DOWN/DRAIN by an earlier unclean stop; ReturnToService=2 covers most cases.
printf 'slurm-local.sh: single-node Slurm up on %s (%s) in %.1f s; job records in %s\n' \
  "$host" "$(echo "$node" | grep -oE 'CPUs=[0-9]+')" "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }')" "$jobcomp"
