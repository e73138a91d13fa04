// Package service holds the HTTP routes of ${{ values.name }}; the binary that
// serves them is in cmd/${{ values.name }}.
package service

import (
	"fmt"
	"net/http"
)

// Port is the HTTP port the service listens on.
const Port = ${{ values.port }}

// extraRoutes lets optional files (such as metrics.go) add routes.
var extraRoutes []func(*http.ServeMux)

// Handler returns the service's HTTP routes.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	for _, add := range extraRoutes {
		add(mux)
	}
	return mux
}
