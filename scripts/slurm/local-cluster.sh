#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for tests (Debian 12 packages; root; no systemd or
# cgroups needed). `local-cluster.sh up` writes slurm.conf for this host, starts munged,
# slurmctld and slurmd and records their pids in $DNMF_SLURM_STATE; `local-cluster.sh down`
# stops exactly those pids (slurmd first). Needs: slurmctld slurmd slurm-client munge
# (scripts/install-deps.sh with DNMF_WITH_SLURM=1).
set -euo pipefail
state=${DNMF_SLURM_STATE:-/tmp/dnmf-slurm}

up() {
  mkdir -p "$state"
  local node cpus
  node=$(hostname -s)
  # slurmd -C describes this machine; memory is left low so the node never drains on it.
  local nodeline
  nodeline=$(slurmd -C | head -1 | sed 's/RealMemory=[0-9]*//')
  mkdir -p /etc/slurm
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=dnmf-ci
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$state/slurmctld.pidfile
SlurmdPidFile=$state/slurmd.pidfile
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
JobRequeue=1
OverTimeLimit=0
KillWait=5
MinJobAge=300
InactiveLimit=0
Waittime=0
# A requeued job may start again after cred_expire seconds (default 120); schedule quickly.
AuthInfo=cred_expire=10
SchedulerParameters=sched_interval=2,bf_interval=2
$nodeline RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --force
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  rm -rf /var/spool/slurmctld /var/spool/slurmd
  install -d -m 0755 /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  runuser -u munge -- /usr/sbin/munged --foreground > "$state/munged.out" 2>&1 &
  echo $! > "$state/munged.pid"
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
  /usr/sbin/slurmctld -D -i > "$state/slurmctld.out" 2>&1 &
  echo $! > "$state/slurmctld.pid"
  /usr/sbin/slurmd -D > "$state/slurmd.out" 2>&1 &
  echo $! > "$state/slurmd.pid"
  for _ in $(seq 300); do
    case "$(sinfo -h -N -o %t 2>/dev/null || true)" in idle*) return 0 ;; esac
    sleep 0.2
  done
  echo "local-cluster: the node did not become idle; see $state/*.out and /var/log/slurm" >&2
  return 1
}

down() {
  for d in slurmd slurmctld munged; do
    local f="$state/$d.pid"
    [ -f "$f" ] || continue
    local p
    p=$(cat "$f")
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
