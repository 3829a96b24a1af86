package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"
)

// DefaultMaxFileBytes is the largest config file Load reads (1 MiB): a real
// bot config is a few KiB, and a bigger file is a mistake, not a config.
const DefaultMaxFileBytes = 1 << 20

// readLayer reads and parses one config file into its YAML document's root
// mapping. It reports every problem it can name and returns nil when the file
// cannot be used.
func readLayer(path string, maxBytes int64, ps *problems) *yaml.Node {
	data, ok := readFile(path, maxBytes, ps)
	if !ok {
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		ps.add(path, 0, "", "file is empty; want a YAML mapping of config keys")
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if tabs := tabIndentedLines(lines); len(tabs) > 0 {
		for _, n := range tabs {
			ps.add(path, n, keyPathAt(lines, n), "tab in indentation; YAML indents with spaces only")
		}
		return nil
	}
	root, err := parseDocument(data)
	if err != nil {
		line, msg := syntaxLine(err)
		key := ""
		if line > 0 {
			key = keyPathAt(lines, line)
		}
		ps.add(path, line, key, "invalid YAML: %s", msg)
		return nil
	}
	if root == nil || root.ShortTag() == "!!null" {
		ps.add(path, 0, "", "file is empty (comments only); want a YAML mapping of config keys")
		return nil
	}
	if root.Kind != yaml.MappingNode {
		ps.add(path, root.Line, "", "want a mapping of config keys at the top level, got %s", describeKind(root))
		return nil
	}
	return root
}

// readFile reads path, refusing directories and files over maxBytes.
func readFile(path string, maxBytes int64, ps *problems) ([]byte, bool) {
	if path == "" {
		ps.add("(empty path)", 0, "", "a config layer has an empty path; check the list of files (CONFIG) for a stray comma")
		return nil, false
	}
	// O_NONBLOCK: opening a FIFO waits for a writer otherwise (a config
	// that is a FIFO hung the load without a word); it changes nothing for
	// a regular file, the only kind read.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		ps.addErr(path, 0, "", err, "cannot read config file: %s", pathErrorReason(err))
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		ps.addErr(path, 0, "", err, "cannot read config file: %s", pathErrorReason(err))
		return nil, false
	}
	if info.IsDir() {
		ps.add(path, 0, "", "is a directory, want a YAML file")
		return nil, false
	}
	if !info.Mode().IsRegular() {
		ps.add(path, 0, "", "is not a regular file (%s), want a YAML file", kindOfMode(info.Mode()))
		return nil, false
	}
	if info.Size() > maxBytes {
		ps.add(path, 0, "", "file is %d bytes, over the %d-byte limit for a config file", info.Size(), maxBytes)
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		ps.addErr(path, 0, "", err, "cannot read config file: %s", pathErrorReason(err))
		return nil, false
	}
	if int64(len(data)) > maxBytes {
		ps.add(path, 0, "", "file is over the %d-byte limit for a config file", maxBytes)
		return nil, false
	}
	return data, true
}

// kindOfMode names a file type that is not a regular file.
func kindOfMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "type " + m.Type().String()
}

func pathErrorReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseDocument parses exactly one YAML document and returns its root node
// (nil for a stream with no document). A parser panic becomes an error.
func parseDocument(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: the parser could not read this file")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("yaml: line %d: a second YAML document (---); a config file holds one", max(next.Line, 1))
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the yaml.v3 parser's (not scanner's) messages: the parser
// reports a 0-based line, the scanner a 1-based one.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxLine splits a yaml.v3 error into its 1-based line (0 when it names
// none) and message. Values quoted in backticks are dropped: they could be
// secrets.
func syntaxLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if parserProblems[msg] {
		line++
	}
	return line, scrub(msg)
}

var backtickRE = regexp.MustCompile("`[^`]*`")

// scrub removes quoted values from a parser message.
func scrub(msg string) string { return backtickRE.ReplaceAllString(msg, "(value)") }

// tabIndentedLines returns the 1-based numbers of lines indented with a tab.
func tabIndentedLines(lines []string) []int {
	var out []int
	for i, l := range lines {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") && strings.TrimSpace(l) != "" {
			out = append(out, i+1)
		}
	}
	return out
}

var keyLineRE = regexp.MustCompile(`^(?:- )?["']?([A-Za-z0-9_.\-]+)["']?\s*:(?:\s|$)`)

// keyPathAt guesses the dotted key at a 1-based line of block-style YAML from
// indentation alone, for messages about text the parser rejected.
func keyPathAt(lines []string, line int) string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	for i := 0; i < line && i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		body := strings.TrimLeft(l, " \t")
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		indent := len(l) - len(body)
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if m := keyLineRE.FindStringSubmatch(body); m != nil {
			stack = append(stack, level{indent, m[1]})
		}
	}
	keys := make([]string, len(stack))
	for i, s := range stack {
		keys[i] = s.key
	}
	return strings.Join(keys, ".")
}

// describeKind names a node's shape for a message, never its value.
func describeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!null":
		return "no value"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!str":
		return "a string"
	}
	if tag := n.ShortTag(); tag != "" {
		return "a value tagged " + tag
	}
	return "a scalar"
}
