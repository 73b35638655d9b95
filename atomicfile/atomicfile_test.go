package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.md")
	if err := Write(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v %v; want mode 0644", st, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(data) != "two" || st.Mode().Perm() != 0o600 {
		t.Fatalf("rewritten file = %q, mode %v; want \"two\", 0600 kept", data, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	// A folder that does not exist: an error, nothing written.
	missing := filepath.Join(dir, "missing", "b.md")
	if err := Write(missing, []byte("x")); err == nil || err.Error() != "write "+missing+": no such file or directory" {
		t.Fatalf("write into a missing folder: %v; want an error naming the file, not the temporary one", err)
	}
}

func TestRemoveTemp(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".a.md.tmp-123", "keep.md", ".hidden", ".b.json.tmp-9"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	if err := RemoveTemp(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if fmt.Sprint(left) != "[.hidden keep.md]" {
		t.Fatalf("left %v; want the temporary files gone, the rest kept", left)
	}
}
