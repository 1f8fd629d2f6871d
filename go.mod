module github.com/zonerw/zonerw

go 1.26.8

require github.com/miekg/dns v1.1.73

require (
	github.com/robfig/cron/v3 v3.0.1 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
