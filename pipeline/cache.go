package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/internal/cachefile"
	"github.com/deployorder/deployorder/planner"
)

// cacheFormat changes whenever the cached plan would differ for the same
// inputs; old entries are then simply never read again.
const cacheFormat = "plan-v2"

// planCache keeps finished plans under the user's cache directory
// (DEPLOYORDER_CACHE_DIR, else <user cache dir>/deployorder), never inside
// the repository, keyed by what decides a plan: the base and head commits
// and trees, the config file's content, the options that change the
// analysis, and this build of deployorder. Deleting the directory is always
// safe. A re-run of the same range reads the plan instead of computing it.
type planCache struct {
	dir string // "" when there is no usable cache directory
}

func newPlanCache(opts Options) planCache {
	if opts.NoCache || opts.getenv("DEPLOYORDER_NO_CACHE") == "1" {
		return planCache{}
	}
	dir := cacheDir(opts)
	if dir == "" {
		return planCache{}
	}
	return planCache{dir: filepath.Join(dir, cacheFormat)}
}

// cacheDir is deployorder's cache directory: DEPLOYORDER_CACHE_DIR, else
// <user cache dir>/deployorder; "" when there is none. It holds the plan
// cache and the dependency index (graph.LoadOptions.IndexDir), which
// --no-cache leaves in use: it holds what never changes.
func cacheDir(opts Options) string {
	if dir := opts.getenv("DEPLOYORDER_CACHE_DIR"); dir != "" {
		return dir
	}
	if base := userCacheDir(opts.getenv); base != "" {
		return filepath.Join(base, "deployorder")
	}
	return ""
}

// userCacheDir is os.UserCacheDir, reading the environment through getenv.
func userCacheDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Caches")
		}
		return ""
	}
	if d := getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache")
	}
	return ""
}

// prepare starts what the key needs that takes long (hashing this
// build's executable, about 20 ms) alongside the repository's reading.
func (c planCache) prepare() {
	if c.dir != "" {
		go executableHash()
	}
}

// key hashes the inputs of a plan: the commits and trees, whether the head
// was read from the worktree (and which uncommitted changes it has, which
// a warning names), the config, the options, the day when an acceptance
// can expire, and this build; "" without a cache.
func (c planCache) key(rg *change.Range, configPath string, opts Options, wt worktree, day string) string {
	if c.dir == "" {
		return "" // nothing is read or written
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s/%s\n", cacheFormat, executableHash(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(h, "base %s %s\nhead %s %s\n", rg.Base, rg.BaseTree, rg.Head, rg.HeadTree)
	fmt.Fprintf(h, "worktree %s\n", wt)
	fmt.Fprintf(h, "offline %v\n", opts.Offline)
	fmt.Fprintf(h, "day %s\n", day)
	if configPath != "" {
		data, _ := os.ReadFile(configPath)
		fmt.Fprintf(h, "config %d\n", len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// executableHash identifies this build exactly, so that a rebuilt binary
// (a source build reports the same version) never reads another's plans.
var executableHash = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(h.Sum(nil))
})

// get returns the cached plan for key, or nil.
func (c planCache) get(key string) *planner.Plan {
	if c.dir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(c.dir, key[:2], key+".json"))
	if err != nil {
		return nil
	}
	var p planner.Plan
	if err := json.Unmarshal(data, &p); err != nil || p.SchemaVersion != planner.SchemaVersion {
		return nil
	}
	return &p
}

// put stores a plan; failing to is not an error (the cache is an
// optimisation), and a half-written file is never visible.
func (c planCache) put(key string, p *planner.Plan) {
	if c.dir == "" {
		return
	}
	data, err := json.Marshal(p)
	if err != nil {
		return
	}
	cachefile.Write(filepath.Join(c.dir, key[:2], key+".json"), data)
}
