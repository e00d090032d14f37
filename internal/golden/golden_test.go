package golden_test

import (
	"os/exec"
	"strings"
	"testing"

	_ "github.com/deployorder/deployorder/internal/golden"
)

// TestEveryTestPackageImportsGolden keeps `go test ./... -update` working:
// a test package that does not define -update makes the whole command
// fail ("flag provided but not defined").
func TestEveryTestPackageImportsGolden(t *testing.T) {
	out, err := exec.Command("go", "list", "-f",
		`{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{join .TestImports ","}},{{join .XTestImports ","}}{{end}}`,
		"github.com/deployorder/deployorder/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if pkg == "" || strings.HasSuffix(pkg, "/internal/golden") {
			continue
		}
		if !strings.Contains(","+imports+",", ",github.com/deployorder/deployorder/internal/golden,") {
			t.Errorf("%s has tests but does not import internal/golden: go test ./... -update would fail; add a golden_flag_test.go", pkg)
		}
	}
}
