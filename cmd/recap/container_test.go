package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Docker cannot run on the development machines, so the container files
// are checked here for what must not regress.
func TestContainerFiles(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ignored := strings.Fields(read(".dockerignore"))
	for _, must := range []string{".git", ".env", "*.db"} {
		if !slices.Contains(ignored, must) {
			t.Errorf(".dockerignore lacks %s: it would be sent to the builder (and .env copied into the image)", must)
		}
	}

	df := read("Dockerfile")
	for what, re := range map[string]string{
		"a data volume":                          `(?m)^VOLUME \["/data"\]`,
		"a health check without a shell":         `(?m)^\s*CMD \["/usr/local/bin/recap", "healthcheck"\]`,
		"a distroless base":                      `(?m)^FROM gcr.io/distroless/`,
		"the health check set up as HEALTHCHECK": `(?m)^HEALTHCHECK `,
	} {
		if !regexp.MustCompile(re).MatchString(df) {
			t.Errorf("Dockerfile lacks %s (%s)", what, re)
		}
	}

	dc := read("docker-compose.yml")
	if n := strings.Count(dc, "build: ."); n != 1 {
		t.Errorf("docker-compose.yml builds %d times; want one image built once", n)
	}
	if strings.Count(dc, "<<: *recap\n") != 2 || !strings.Contains(dc, "image: recap:local") {
		t.Error("api and worker must share the recap:local image")
	}
	for _, m := range regexp.MustCompile(`ports: \[(.*)\]`).FindAllStringSubmatch(dc, -1) {
		if !strings.Contains(m[1], ":-127.0.0.1}:") {
			t.Errorf("published port %s is not bound to 127.0.0.1 by default", m[1])
		}
	}
	if !strings.Contains(dc, `host.docker.internal:host-gateway`) {
		t.Error("docker-compose.yml does not map host.docker.internal (the Ollama example)")
	}
}
