package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of utime and stime in /proc/PID/stat; Linux fixes it at 100.
const userHZ = 100

// cpuShare is CPU time per process kind: the host, dynalite (node), the function processes
// (bootstrap) and this benchmark. It explains where a CPU-bound scenario spends its time.
type cpuShare map[string]time.Duration

// cpuSnapshot reads the CPU time used so far by hostPid, its descendants and this process.
func cpuSnapshot(hostPid int) cpuShare {
	stats := map[int][]string{}
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		if f := readStat(p); f != nil {
			pid, _ := strconv.Atoi(f[0])
			stats[pid] = f
		}
	}
	share := cpuShare{}
	for pid, f := range stats {
		switch {
		case pid == os.Getpid():
			share["benchmark"] += statCPU(f)
		case pid == hostPid:
			share["host"] += statCPU(f)
		case descends(pid, hostPid, stats):
			share[kindOf(f[1])] += statCPU(f)
		}
	}
	return share
}

// readStat splits /proc/PID/stat, keeping the command name (which may hold spaces) whole.
func readStat(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return nil
	}
	rest := strings.Fields(s[closing+1:])
	return append([]string{strings.TrimSpace(s[:open]), s[open+1 : closing]}, rest...)
}

// statCPU is utime+stime; after pid and comm, state is field 2, ppid 3, utime 13, stime 14.
func statCPU(f []string) time.Duration {
	if len(f) < 15 {
		return 0
	}
	u, _ := strconv.ParseInt(f[13], 10, 64)
	s, _ := strconv.ParseInt(f[14], 10, 64)
	return time.Duration(u+s) * time.Second / userHZ
}

func descends(pid, ancestor int, stats map[int][]string) bool {
	for range 16 {
		f, ok := stats[pid]
		if !ok || len(f) < 4 {
			return false
		}
		pid, _ = strconv.Atoi(f[3])
		if pid == ancestor {
			return true
		}
	}
	return false
}

func kindOf(comm string) string {
	switch comm {
	case "node":
		return "dynalite"
	case "bootstrap":
		return "functions"
	}
	return comm
}

// since is the CPU used between before and s, per kind.
func (s cpuShare) since(before cpuShare) cpuShare {
	out := cpuShare{}
	for k, v := range s {
		out[k] = v - before[k]
	}
	return out
}
