module github.com/northwind/${{ values.name }}

go 1.22

require (
	github.com/northwind/telemetry-go v1.8.0
{%- if values.enableMetrics %}
	github.com/prometheus/client_golang v1.19.1
{%- endif %}
)
