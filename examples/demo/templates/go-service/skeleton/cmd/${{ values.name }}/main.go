// Command ${{ values.name }} serves the service's HTTP API.
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/northwind/telemetry-go"

	service "github.com/northwind/${{ values.name }}"
)

func main() {
	shutdown := telemetry.Init("${{ values.name }}")
	defer shutdown()

	addr := fmt.Sprintf(":%d", service.Port)
	log.Printf("${{ values.name }} listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, service.Handler()))
}
