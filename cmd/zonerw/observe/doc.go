// Package observe is what zonerw shows the outside about what it does:
// the Prometheus metrics, the alerts (webhooks and exec hooks, throttled
// so a lasting failure is heard of once and then hourly), /healthz,
// /readyz and the status page on the admin HTTP listener (Observer, for
// zonerw serve), the alerts of one cron run (Cron), and the audit log
// lines and alerts of provider drift (DriftRecorder).
package observe
