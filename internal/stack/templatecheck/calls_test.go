package templatecheck_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/templatecheck"
)

const module = "github.com/agentbridge/agentbridge"

// sdkClients are the clients whose method sets name each service's operations.
var sdkClients = map[string]reflect.Type{
	"github.com/aws/aws-sdk-go-v2/service/dynamodb":                reflect.TypeOf(&dynamodb.Client{}),
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi": reflect.TypeOf(&apigatewaymanagementapi.Client{}),
}

type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
}

// funcKey names a declared function: a method when recv is true.
type funcKey struct {
	pkg  string
	recv bool
	name string
}

type funcDecl struct {
	body    ast.Node
	pkg     string
	imports map[string]string // local name -> import path, of the declaring file
}

// program is the module's own code in a main package's import graph.
type program struct {
	decls   map[funcKey][]funcDecl
	methods map[string][]funcKey // method name -> its declarations
	roots   []funcDecl           // main, init functions and package-level initialisers
	sdk     map[string]bool      // SDK service packages in the graph
}

// loadProgram parses the non-test files of every module package mainPkg depends on.
func loadProgram(t *testing.T, root, mainPkg string) *program {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles", mainPkg)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", mainPkg, err)
	}
	p := &program{decls: map[funcKey][]funcDecl{}, methods: map[string][]funcKey{}, sdk: map[string]bool{}}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	fset := token.NewFileSet()
	for dec.More() {
		var lp listedPackage
		if err := dec.Decode(&lp); err != nil {
			t.Fatal(err)
		}
		if lp.ImportPath != module && !strings.HasPrefix(lp.ImportPath, module+"/") {
			continue
		}
		for _, name := range lp.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			p.addFile(lp.ImportPath, f)
		}
	}
	return p
}

func (p *program) addFile(pkg string, f *ast.File) {
	imports := map[string]string{}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		local := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			local = im.Name.Name
		}
		imports[local] = path
		// The services the module's own code imports; the SDK's credential chain imports more
		// (sts, sso) and calls them itself, with the role's own credentials.
		if rest, ok := strings.CutPrefix(path, "github.com/aws/aws-sdk-go-v2/service/"); ok && !strings.Contains(rest, "/") {
			p.sdk[path] = true
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			k := funcKey{pkg: pkg, recv: d.Recv != nil, name: d.Name.Name}
			fd := funcDecl{body: d.Body, pkg: pkg, imports: imports}
			p.decls[k] = append(p.decls[k], fd)
			if k.recv {
				p.methods[k.name] = append(p.methods[k.name], k)
			}
			if !k.recv && (k.name == "init" || (k.name == "main" && f.Name.Name == "main")) {
				p.roots = append(p.roots, fd)
			}
		case *ast.GenDecl:
			if d.Tok == token.VAR {
				p.roots = append(p.roots, funcDecl{body: d, pkg: pkg, imports: imports})
			}
		}
	}
}

// actions walks everything reachable from the roots, resolving calls by name (a method call
// reaches every module method of that name, which over-approximates and never misses one), and
// returns the IAM actions of the SDK operations the reachable code names.
func (p *program) actions(t *testing.T) map[string]bool {
	t.Helper()
	for svc := range p.sdk {
		if _, ok := templatecheck.ServiceActions[svc]; !ok {
			t.Errorf("the code imports %s, which has no IAM action mapping in ServiceActions", svc)
		}
	}
	seen := map[funcKey]bool{}
	acts := map[string]bool{}
	queue := append([]funcDecl(nil), p.roots...)
	visit := func(k funcKey) {
		if !seen[k] {
			seen[k] = true
			queue = append(queue, p.decls[k]...)
		}
	}
	for len(queue) > 0 {
		fd := queue[0]
		queue = queue[1:]
		ast.Inspect(fd.body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if path, isPkg := fd.imports[id.Name]; isPkg {
						visit(funcKey{pkg: path, name: n.Sel.Name})
						// A paginator (dynamodb.NewQueryPaginator) calls its operation.
						if client, ok := sdkClients[path]; ok {
							if op, ok := paginatedOp(n.Sel.Name); ok {
								if _, ok := client.MethodByName(op); ok {
									acts[action(path, op)] = true
								}
							}
						}
						return false
					}
				}
				for _, k := range p.methods[n.Sel.Name] {
					visit(k)
				}
				for svc, client := range sdkClients {
					if _, imported := importsPath(fd.imports, svc); !imported {
						continue
					}
					if _, ok := client.MethodByName(n.Sel.Name); ok && n.Sel.Name != "Options" {
						acts[action(svc, n.Sel.Name)] = true
					}
				}
			case *ast.Ident:
				visit(funcKey{pkg: fd.pkg, name: n.Name})
			}
			return true
		})
	}
	return acts
}

func paginatedOp(name string) (string, bool) {
	op, ok := strings.CutPrefix(name, "New")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(op, "Paginator")
}

func importsPath(imports map[string]string, path string) (string, bool) {
	for local, p := range imports {
		if p == path {
			return local, true
		}
	}
	return "", false
}

func action(svc, op string) string {
	m := templatecheck.ServiceActions[svc]
	if m.Action != "" {
		return m.Action
	}
	return m.Prefix + op
}

// TestGrantsMatchTheCode: the actions listed for each function are exactly the SDK operations
// its code can reach. A new SDK call without a grant fails here; so does a grant for a call
// the code no longer makes.
func TestGrantsMatchTheCode(t *testing.T) {
	root := moduleRoot(t)
	for name, fn := range templatecheck.Functions {
		t.Run(name, func(t *testing.T) {
			got := loadProgram(t, root, fn.Main).actions(t)
			want := map[string]bool{}
			for _, g := range fn.Grants {
				want[g.Action] = true
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s calls %v; its grants list %v", fn.Main, keys(got), keys(want))
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}
