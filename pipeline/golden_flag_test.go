package pipeline

// Every test package understands -update (see internal/golden).
import _ "github.com/deployorder/deployorder/internal/golden"
