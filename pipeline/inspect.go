package pipeline

import (
	"fmt"
	"path"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/gitdiff"
	"github.com/deployorder/deployorder/graph"
)

// maxInspected bounds how many changed blobs are opened to look for binary
// content, so that a huge range stays fast.
const maxInspected = 200

// largeFile is the size above which a changed Go file is not parsed for
// the contract pre-pass (it is still mapped to services by its path).
const largeFile = 2 << 20

// inspectRange names the changed paths deployorder can only partly handle:
// submodules (their content is another repository), symbolic links that
// point out of the repository (never followed), binary files (mapped by
// path only) and very large files.
func inspectRange(repo *gitdiff.Repo, rg *change.Range) []graph.Warning {
	var out []graph.Warning
	var binary []string
	inspected := 0
	for _, fc := range rg.Files {
		blob := fc.NewBlob
		if blob == "" {
			blob = fc.OldBlob
		}
		switch fc.Kind {
		case change.Submodule:
			out = append(out, graph.Warning{Code: "SUBMODULE", File: fc.Path,
				Message: fmt.Sprintf("submodule %s changed; deployorder does not look inside submodules, so only services that own its path are affected", fc.Path),
				Cause:   "submodules changed; deployorder does not look inside submodules, so only services that own their paths are affected"})
			continue
		case change.Symlink:
			if _, target, err := repo.BlobInfo(blob, 4096); err == nil && escapes(fc.Path, string(target)) {
				out = append(out, graph.Warning{Code: "SYMLINK_OUTSIDE", File: fc.Path,
					Message: fmt.Sprintf("symbolic link %s points outside the repository (%s); it is never followed, and maps to services by its own path only", fc.Path, target),
					Cause:   "symbolic links point outside the repository; they are never followed, and map to services by their own paths only"})
			}
			continue
		}
		if inspected >= maxInspected {
			continue
		}
		inspected++
		size, head, err := repo.BlobInfo(blob, 8000)
		if err != nil {
			continue
		}
		switch {
		case change.IsBinary(head):
			binary = append(binary, fc.Path)
		case size > largeFile && strings.HasSuffix(fc.Path, ".go"):
			out = append(out, graph.Warning{Code: "LARGE_FILE", File: fc.Path,
				Message: fmt.Sprintf("%s is %d MiB; it is mapped to services, but not parsed for contract changes", fc.Path, size>>20),
				Cause:   fmt.Sprintf("Go files over %d MiB are mapped to services, but not parsed for contract changes", largeFile>>20)})
		}
	}
	if len(binary) > 0 {
		list := binary
		if len(list) > 5 {
			list = append(list[:5:5], fmt.Sprintf("and %d more", len(binary)-5))
		}
		out = append(out, graph.Warning{Code: "BINARY_FILE", File: binary[0],
			Message: fmt.Sprintf("%d binary file(s) changed (%s); they are mapped to services by path only", len(binary), strings.Join(list, ", "))})
	}
	return out
}

// escapes reports whether a symbolic link at p with the given target
// resolves outside the repository.
func escapes(p, target string) bool {
	if path.IsAbs(target) {
		return true
	}
	c := path.Clean(path.Join(path.Dir(p), target))
	return c == ".." || strings.HasPrefix(c, "../")
}
