// Command golden runs every case of input.json through Go's own text/template,
// with the FuncMap Docker registers (docker/cli templates/templates.go) and the
// table writer Docker's formatter uses (cli/command/formatter/formatter.go),
// and writes what Go printed, or the error it gave, to test/golden/cases.json.
//
// Run from packages/template:  go run tools/golden/main.go
//
// Data typing: JSON is decoded to interface{} and then typed the way Docker's
// structs mostly are, because JavaScript cannot tell 1 from 1.0 and a plain
// JSON decode would make `join .Args " "` fail ([]interface {} is not
// []string) where Docker's typed path succeeds:
//   - a whole number becomes int, any other number float64;
//   - an array whose elements are all strings becomes []string (like Env, Args),
//     any other array []interface{};
//   - an object whose values are all strings becomes map[string]string (like
//     Labels), any other object map[string]interface{};
//   - null stays a nil interface{}.
// @ctrnet/template applies the same rule to plain JavaScript values.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"text/template"
)

// basicFunctions mirrors docker/cli templates.basicFunctions.
var basicFunctions = template.FuncMap{
	"json": func(v interface{}) string {
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		return strings.TrimSpace(buf.String())
	},
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    strings.Title,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      padWithSpace,
	"truncate": truncateWithLength,
}

// headerFunctions mirrors docker/cli templates.HeaderFunctions: the header row
// keeps column titles intact (pad is deliberately not overridden).
var headerFunctions = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

func padWithSpace(source string, prefix, suffix int) string {
	if source == "" {
		return source
	}
	return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
}

func truncateWithLength(source string, length int) string {
	if len(source) < length {
		return source
	}
	return source[:length]
}

type input struct {
	Datasets map[string]json.RawMessage `json:"datasets"`
	Cases    []templateCase             `json:"cases"`
	Tables   []tableCase                `json:"tables"`
}

type templateCase struct {
	Name       string  `json:"name"`
	Template   string  `json:"template"`
	Data       string  `json:"data"`
	MissingKey string  `json:"missingKey,omitempty"`
	Output     *string `json:"output,omitempty"`
	Error      *string `json:"error,omitempty"`
	Phase      string  `json:"phase,omitempty"`
}

type tableCase struct {
	Name    string            `json:"name"`
	Format  string            `json:"format"`
	Rows    string            `json:"rows"`
	Headers map[string]string `json:"headers"`
	Output  *string           `json:"output,omitempty"`
	Error   *string           `json:"error,omitempty"`
}

type output struct {
	GeneratedBy string                     `json:"generatedBy"`
	Datasets    map[string]json.RawMessage `json:"datasets"`
	Cases       []templateCase             `json:"cases"`
	Tables      []tableCase                `json:"tables"`
}

func main() {
	raw, err := os.ReadFile("tools/golden/input.json")
	check(err)
	var in input
	check(json.Unmarshal(raw, &in))
	data := map[string]interface{}{}
	for name, text := range in.Datasets {
		var v interface{}
		check(json.Unmarshal(text, &v))
		data[name] = typed(v)
	}
	for i := range in.Cases {
		c := &in.Cases[i]
		d, ok := data[c.Data]
		if !ok {
			check(fmt.Errorf("case %q: no dataset %q", c.Name, c.Data))
		}
		runTemplate(c, d)
	}
	for i := range in.Tables {
		t := &in.Tables[i]
		rows, ok := data[t.Rows].([]interface{})
		if empty, isEmpty := data[t.Rows].([]string); isEmpty && len(empty) == 0 {
			rows, ok = nil, true // typed() makes an empty list a []string
		}
		if !ok {
			check(fmt.Errorf("table %q: dataset %q is not a list of objects", t.Name, t.Rows))
		}
		out, err := formatTable(t.Format, rows, t.Headers)
		if err != nil {
			msg := err.Error()
			t.Error = &msg
		} else {
			t.Output = &out
		}
	}
	result := output{GeneratedBy: "tools/golden/main.go with " + runtime.Version(), Datasets: in.Datasets, Cases: in.Cases, Tables: in.Tables}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	check(enc.Encode(result))
	check(os.WriteFile("test/golden/cases.json", buf.Bytes(), 0o644))
	fmt.Printf("%d template cases, %d table cases\n", len(in.Cases), len(in.Tables))
}

func runTemplate(c *templateCase, data interface{}) {
	tmpl := template.New("").Funcs(basicFunctions)
	if c.MissingKey != "" {
		tmpl = tmpl.Option("missingkey=" + c.MissingKey)
	}
	tmpl, err := tmpl.Parse(c.Template)
	if err != nil {
		msg := err.Error()
		c.Error, c.Phase = &msg, "parse"
		return
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		msg := err.Error()
		c.Error, c.Phase = &msg, "exec"
		return
	}
	out := buf.String()
	c.Output = &out
}

// formatTable mirrors formatter.Context.Write: preFormat, one execution per row
// followed by a newline, and for a table the header row (executed with the
// header functions against the column titles, errors ignored) and a tabwriter.
func formatTable(format string, rows []interface{}, headers map[string]string) (string, error) {
	isTable := strings.HasPrefix(format, "table")
	final := format
	if isTable {
		final = final[len("table"):]
	} else if format == "json" {
		final = "{{json .}}"
	}
	final = strings.Trim(final, " ")
	final = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(final)
	tmpl, err := template.New("").Funcs(basicFunctions).Parse(final)
	if err != nil {
		return "", err
	}
	var body bytes.Buffer
	for _, row := range rows {
		if err := tmpl.Execute(&body, row); err != nil {
			return "", err
		}
		body.WriteString("\n")
	}
	if !isTable {
		return body.String(), nil
	}
	var out bytes.Buffer
	w := tabwriter.NewWriter(&out, 10, 1, 3, ' ', 0)
	var header bytes.Buffer
	tmpl.Funcs(headerFunctions).Execute(&header, typed(stringMap(headers)))
	header.WriteTo(w)
	w.Write([]byte("\n"))
	body.WriteTo(w)
	w.Flush()
	return out.String(), nil
}

func stringMap(m map[string]string) interface{} {
	out := map[string]interface{}{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// typed applies the data typing rule described at the top of this file.
func typed(v interface{}) interface{} {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int(x)
		}
		return x
	case []interface{}:
		if strs, ok := allStrings(x); ok {
			return strs
		}
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = typed(e)
		}
		return out
	case map[string]interface{}:
		strs := make(map[string]string, len(x))
		for k, e := range x {
			s, ok := e.(string)
			if !ok {
				strs = nil
				break
			}
			strs[k] = s
		}
		if strs != nil {
			return strs
		}
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			out[k] = typed(e)
		}
		return out
	}
	return v
}

func allStrings(list []interface{}) ([]string, bool) {
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		os.Exit(1)
	}
}
