// Package demo writes the built-in example monorepo: a metadata service
// that renames its JSON field `metadata` to `metadata_v2` while billing and
// frontend switch to it in the same commit, and a branch that makes the
// same change the safe way (expand, then switch).
package demo

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/tools/txtar"
)

//go:embed story/*.txtar
var story embed.FS

// Case is one range the demo plans.
type Case struct {
	Title string
	// Split, when set, is a commit that deployorder split writes as a
	// series of commits on the branch Branch before Spec is planned.
	Split, Branch string
	Spec          string
}

// Cases are the ranges the demo plans, in order.
var Cases = []Case{
	{Title: "The rename in one commit: provider and readers change together", Spec: "main"},
	{Title: "The same change done right: expand the provider, then switch the readers", Spec: "main~1..done-right"},
	{Title: "deployorder writes the split: expand, switch and contract as commits, deployed each at its own",
		Split: "main", Branch: "split-main", Spec: "main~1..split-main"},
}

// Write creates the demo repository in dir (which must be empty) with
// commits that have fixed authors and dates, and leaves main checked out.
// It uses go-git, so no git binary is needed.
func Write(dir string) error {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
	})
	if err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	names, err := fs.Glob(story, "story/*.txtar")
	if err != nil {
		return err
	}
	sort.Strings(names)
	commits := map[string]plumbing.Hash{}
	branch := "main"
	for i, name := range names {
		data, err := story.ReadFile(name)
		if err != nil {
			return err
		}
		ar := txtar.Parse(data)
		meta, body := header(string(ar.Comment))
		step := strings.TrimSuffix(path.Base(name), ".txtar")
		if b := meta["branch"]; b != "" && b != branch {
			opts := &git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(b)}
			if from := meta["from"]; from != "" {
				opts.Create, opts.Hash = true, commits[from]
			}
			if err := wt.Checkout(opts); err != nil {
				return fmt.Errorf("demo step %s: checkout %s: %w", step, b, err)
			}
			branch = b
		}
		for _, f := range ar.Files {
			p := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				return err
			}
		}
		if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
			return err
		}
		when := time.Date(2026, 1, 5, 10, i, 0, 0, time.UTC)
		sig := &object.Signature{Name: "Demo", Email: "demo@example.com", When: when}
		msg := meta["message"]
		if body != "" {
			msg += "\n\n" + body
		}
		h, err := wt.Commit(msg+"\n", &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			return fmt.Errorf("demo step %s: commit: %w", step, err)
		}
		commits[step] = h
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.Main})
}

// header splits a txtar comment into "key: value" lines and the free text
// after the first blank line.
func header(comment string) (map[string]string, string) {
	meta := map[string]string{}
	var body []string
	inBody := false
	sc := bufio.NewScanner(strings.NewReader(comment))
	for sc.Scan() {
		line := sc.Text()
		if !inBody {
			if strings.TrimSpace(line) == "" {
				inBody = true
				continue
			}
			k, v, _ := strings.Cut(line, ":")
			meta[strings.TrimSpace(k)] = strings.TrimSpace(v)
			continue
		}
		body = append(body, line)
	}
	return meta, strings.TrimSpace(strings.Join(body, "\n"))
}
