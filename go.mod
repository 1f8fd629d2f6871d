module github.com/zonerw/zonerw

go 1.26.8

require (
	github.com/libdns/cloudflare v0.2.2
	github.com/libdns/gandi v1.1.0
	github.com/libdns/libdns v1.1.0
	github.com/miekg/dns v1.1.73
	github.com/robfig/cron/v3 v3.0.1
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/prometheus/client_golang v1.25.0 // indirect
	golang.org/x/net v0.59.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
