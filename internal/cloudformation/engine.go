package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/cloudformation/template"
	"github.com/gureum/gureum/internal/store"
)

// runTask runs a stack's operation to its end (the task of its lease); whoever waits on the
// stack on this node is told when it returns.
func (s *Service) runTask(ctx context.Context, id string) error {
	err := s.run(ctx, id)
	s.signal(id)
	return err
}

// signal wakes the calls on this node waiting for a stack's operation.
func (s *Service) signal(id string) {
	s.mu.Lock()
	ws := s.done[id]
	delete(s.done, id)
	s.mu.Unlock()
	for _, w := range ws {
		close(w)
	}
}

// waiter registers for a stack's operation's end (before the operation is stored, so that its
// end cannot be missed).
func (s *Service) waiter(id string) chan struct{} {
	w := make(chan struct{})
	s.mu.Lock()
	s.done[id] = append(s.done[id], w)
	s.mu.Unlock()
	return w
}

// await starts the stored operation at once and waits (up to the service's bound) for it to end.
func (s *Service) await(ctx context.Context, id string, w chan struct{}) {
	if s.tasks == nil {
		return
	}
	s.tasks.Wake()
	select {
	case <-w:
	case <-s.clock.After(s.wait):
	case <-ctx.Done():
	}
}

// run advances a stack's operation phase by phase until it has none.
func (s *Service) run(ctx context.Context, id string) error {
	for {
		x, err := s.store.Stack(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d, err := decodeDoc(x.Doc)
		if err != nil {
			return err
		}
		if d.Op == nil {
			return nil
		}
		switch {
		case d.Op.Kind == opDelete:
			err = s.deleteAll(ctx, d)
		case d.Op.Phase == "apply":
			err = s.apply(ctx, d)
		case d.Op.Phase == "cleanup":
			err = s.cleanup(ctx, d)
		case d.Op.Phase == "rollback" && d.Op.Kind == opCreate:
			err = s.rollbackCreate(ctx, d)
		case d.Op.Phase == "rollback":
			err = s.rollbackUpdate(ctx, d)
		default:
			return fmt.Errorf("stack %s: unknown operation %s/%s", id, d.Op.Kind, d.Op.Phase)
		}
		if err != nil {
			return err
		}
	}
}

// exec is what a provider is given for one resource: the stack and the calls it makes.
type exec struct {
	s       *Service
	stack   *stackDoc
	logical string
	policy  map[string]any // the resource's UpdatePolicy, evaluated
}

// call makes a call to a service as the stack's creator.
func (x *exec) call(ctx context.Context, svc, op string, in any) (map[string]any, error) {
	return x.s.calls.callMap(ctx, x.stack.Caller, svc, op, in)
}

func (x *exec) account() string { return x.stack.Account }
func (x *exec) region() string  { return x.s.region }

// name is a generated physical name: stack-logical-SUFFIX, within max characters.
func (x *exec) name(max int) string {
	suffix := strings.ToUpper(strings.ReplaceAll(newUUID(), "-", "")[:12])
	base := x.stack.Name + "-" + x.logical
	if len(base)+1+len(suffix) > max {
		base = base[:max-1-len(suffix)]
	}
	return base + "-" + suffix
}

// resolver answers the evaluator from the stack's resources and the account's exports.
type resolver struct {
	s       *Service
	ctx     context.Context
	d       *stackDoc
	plan    bool // a change set's plan: resources not made yet are Unknown
	imports map[string]bool
}

func (r *resolver) Ref(id string) (any, error) {
	res := r.d.Resources[id]
	if res == nil || res.PhysicalID == "" {
		if r.plan {
			return template.Unknown{}, nil
		}
		return nil, fmt.Errorf("Template error: resource %s is not created, so its Ref has no value", id)
	}
	if v, ok := res.Attrs["Ref"]; ok {
		return v, nil
	}
	return res.PhysicalID, nil
}

func (r *resolver) GetAtt(id, attr string) (any, error) {
	res := r.d.Resources[id]
	if res == nil || res.PhysicalID == "" {
		if r.plan {
			return template.Unknown{}, nil
		}
		return nil, fmt.Errorf("Template error: resource %s is not created, so its attribute %s has no value", id, attr)
	}
	if v, ok := res.Attrs[attr]; ok && attr != "Ref" {
		return v, nil
	}
	return nil, fmt.Errorf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
}

func (r *resolver) Import(name string) (any, error) {
	stacks, err := r.s.store.ListStacks(r.ctx, r.d.Account, false)
	if err != nil {
		return nil, err
	}
	for _, x := range stacks {
		d, err := decodeDoc(x.Doc)
		if err != nil || x.ID == r.d.ID {
			continue
		}
		for _, o := range d.Outputs {
			if o.ExportName == name {
				if r.imports != nil {
					r.imports[name] = true
				}
				return o.OutputValue, nil
			}
		}
	}
	return nil, fmt.Errorf("No export named %s found.", name)
}

// evaluator evaluates a template against a stack.
func (s *Service) evaluator(ctx context.Context, d *stackDoc, tpl map[string]any, params []paramValue, plan bool) (*template.Evaluator, *resolver) {
	res, _ := tpl["Resources"].(map[string]any)
	maps, _ := tpl["Mappings"].(map[string]any)
	conds, _ := tpl["Conditions"].(map[string]any)
	notif := []any{}
	for _, a := range d.NotificationARNs {
		notif = append(notif, a)
	}
	r := &resolver{s: s, ctx: ctx, d: d, plan: plan, imports: map[string]bool{}}
	return &template.Evaluator{
		Params: paramMap(tpl, params),
		Pseudo: map[string]any{"AWS::Region": s.region, "AWS::AccountId": d.Account, "AWS::StackName": d.Name,
			"AWS::StackId": d.ID, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": notif},
		Mappings: maps, Conditions: conds, Resources: res, Resolver: r, Region: s.region,
	}, r
}

// graph lists a template's resources whose conditions hold, in creation order, with each one's
// dependencies (DependsOn, and Refs and Fn::GetAtts in its properties).
func graph(ev *template.Evaluator, tpl map[string]any) ([]string, map[string][]string, error) {
	res, _ := tpl["Resources"].(map[string]any)
	params, _ := tpl["Parameters"].(map[string]any)
	deps := map[string][]string{}
	for _, id := range sortedKeys(res) {
		def, _ := res[id].(map[string]any)
		if c, ok := def["Condition"]; ok {
			name, _ := c.(string)
			on, err := ev.Condition(name)
			if err != nil {
				return nil, nil, err
			}
			if !on {
				continue
			}
		}
		var ds []string
		for _, ref := range append(template.Refs(def["Properties"]), template.Refs(def["UpdatePolicy"])...) {
			if _, ok := res[ref]; ok {
				ds = append(ds, ref)
				continue
			}
			if _, ok := params[ref]; !ok && !strings.HasPrefix(ref, "AWS::") {
				return nil, nil, validation("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", ref)
			}
		}
		switch dep := def["DependsOn"].(type) {
		case string:
			ds = append(ds, dep)
		case []any:
			for _, x := range dep {
				if s, ok := x.(string); ok {
					ds = append(ds, s)
				}
			}
		}
		for _, x := range ds {
			if _, ok := res[x]; !ok {
				return nil, nil, validation("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", x)
			}
		}
		slices.Sort(ds)
		deps[id] = slices.Compact(ds)
	}
	for id, ds := range deps { // a dependency whose condition is false is no dependency
		kept := ds[:0]
		for _, x := range ds {
			if _, on := deps[x]; on {
				kept = append(kept, x)
			} else {
				return nil, nil, validation("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template (its condition is false)", x)
			}
		}
		deps[id] = kept
	}
	order, err := template.Order(deps)
	if err != nil {
		return nil, nil, validation("%s", err.Error())
	}
	return order, deps, nil
}

// apply makes or changes each resource of the operation's template in order; a failure starts
// the rollback (or, with rollback disabled, leaves the stack failed).
func (s *Service) apply(ctx context.Context, d *stackDoc) error {
	op := d.Op
	ev, _ := s.evaluator(ctx, d, op.Template, op.Params, false)
	order, deps, err := graph(ev, op.Template)
	if err != nil {
		return s.fail(ctx, d.ID, "", err.Error())
	}
	res := op.Template["Resources"].(map[string]any)
	if op.Kind == opUpdate && len(op.Applied) == 0 {
		for _, id := range sortedKeysR(op.Old) {
			if _, kept := deps[id]; !kept {
				if why := d.policyCheck("Update:Delete", id, op.Old[id].Type); why != "" {
					if _, err := s.failResource(ctx, d.ID, id, op.Old[id].Type, why); err != nil {
						return err
					}
					return s.fail(ctx, d.ID, "", "")
				}
			}
		}
	}
	done := map[string]bool{}
	for _, id := range order {
		if r := d.Resources[id]; r != nil && slices.Contains(op.Applied, id) && !strings.HasSuffix(r.Status, "_IN_PROGRESS") {
			done[id] = true
		}
	}
	// Waves of the resources whose dependencies are done, each wave's made at once.
	for len(done) < len(order) {
		var wave []string
		for _, id := range order {
			if done[id] {
				continue
			}
			ready := true
			for _, dep := range deps[id] {
				ready = ready && done[dep]
			}
			if ready {
				wave = append(wave, id)
			}
		}
		if err := s.applyWave(ctx, d, wave, res, deps); err != nil {
			return err
		}
		x, err := s.store.Stack(ctx, d.ID)
		if err != nil {
			return err
		}
		if d, err = decodeDoc(x.Doc); err != nil {
			return err
		}
		if len(d.Op.Failed) > 0 {
			return s.fail(ctx, d.ID, "", "")
		}
		for _, id := range wave {
			done[id] = true
		}
	}
	if op.Kind == opCreate {
		return s.finish(ctx, d.ID, "CREATE_COMPLETE")
	}
	_, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.Op.Phase = "cleanup"
		c.stackEvent("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "")
		return nil
	})
	return err
}

// maxParallel bounds the resources of a wave made at once.
const maxParallel = 8

// applyWave makes the resources of one wave at once (they do not depend on each other); each
// records its own outcome in the stack.
func (s *Service) applyWave(ctx context.Context, d *stackDoc, wave []string, res map[string]any, deps map[string][]string) error {
	errs := make([]error, len(wave))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, id := range wave {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, errs[i] = s.applyOne(ctx, d, id, res[id].(map[string]any), deps[id])
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// applyOne makes, changes or replaces one resource. A provider's failure is recorded on the
// resource (and in Op.Failed); only the store's failures are returned.
func (s *Service) applyOne(ctx context.Context, d *stackDoc, id string, def map[string]any, deps []string) (*stackDoc, error) {
	typ, _ := def["Type"].(string)
	p := providerFor(typ)
	ev, rv := s.evaluator(ctx, d, d.Op.Template, d.Op.Params, false)
	var props map[string]any
	if raw, ok := def["Properties"]; ok {
		v, err := ev.Eval(raw)
		if err != nil {
			return s.failResource(ctx, d.ID, id, typ, err.Error())
		}
		props, _ = v.(map[string]any)
	}
	if props == nil {
		props = map[string]any{}
	}
	policy, _ := def["DeletionPolicy"].(string)
	old := d.Resources[id]
	fresh := old == nil || old.PhysicalID == "" || d.Op.Kind == opCreate
	if !fresh && old.Type == typ && reflect.DeepEqual(normal(old.Props), normal(props)) {
		return s.mutate(ctx, d.ID, false, func(c *change) error {
			r := c.d.Resources[id]
			r.Deps, r.DeletionPolicy, r.Metadata = deps, policy, def["Metadata"]
			return nil
		})
	}
	replace := fresh || old.Type != typ || p.update == nil || p.replaces(old.Props, props)
	if !fresh && replace && p.name != "" {
		if n, ok := props[p.name]; ok && reflect.DeepEqual(normal(n), normal(old.Props[p.name])) {
			return s.failResource(ctx, d.ID, id, typ, fmt.Sprintf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %v and update the stack again.", n))
		}
	}
	kind := "updated"
	switch {
	case fresh:
		kind = "created"
	case replace:
		kind = "replaced"
	}
	if kind != "created" {
		action := "Update:Modify"
		if kind == "replaced" {
			action = "Update:Replace"
		}
		if why := d.policyCheck(action, id, typ); why != "" {
			return s.failResource(ctx, d.ID, id, typ, why)
		}
	}
	r := &resourceState{LogicalID: id, Type: typ, Deps: deps, DeletionPolicy: policy, Metadata: def["Metadata"], Props: props}
	if kind == "updated" {
		r = old.clone()
		r.Deps, r.DeletionPolicy, r.Metadata = deps, policy, def["Metadata"]
	}
	d, err := s.mutate(ctx, d.ID, false, func(c *change) error {
		if !slices.Contains(c.d.Op.Applied, id) {
			c.d.Op.Applied = append(c.d.Op.Applied, id)
		}
		if c.d.Op.Change == nil {
			c.d.Op.Change = map[string]string{}
		}
		if _, seen := c.d.Op.Change[id]; !seen {
			c.d.Op.Change[id] = kind
		}
		c.d.Resources[id] = r
		switch kind {
		case "created":
			c.resourceEvent(r, "CREATE_IN_PROGRESS", "")
		case "replaced":
			c.resourceEvent(r, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.")
		default:
			c.resourceEvent(r, "UPDATE_IN_PROGRESS", "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	x := &exec{s: s, stack: d, logical: id}
	if raw, ok := def["UpdatePolicy"]; ok && kind == "updated" {
		v, err := ev.Eval(raw)
		if err != nil {
			return s.failResource(ctx, d.ID, id, typ, err.Error())
		}
		x.policy, _ = v.(map[string]any)
	}
	// Dynamic references are resolved for the provider only: the stack keeps them as written.
	perr := func() error {
		given, err := s.resolveRefs(ctx, d.Account, props)
		if err != nil {
			return err
		}
		if kind != "updated" {
			return p.create(ctx, x, r, given)
		}
		was, err := s.resolveRefs(ctx, d.Account, old.Props)
		if err != nil {
			return err
		}
		return p.update(ctx, x, r, was, given)
	}()
	return s.mutate(ctx, d.ID, false, func(c *change) error {
		r.Props = props
		c.d.Resources[id] = r
		for name := range rv.imports {
			if !slices.Contains(c.d.Imports, name) {
				c.d.Imports = append(c.d.Imports, name)
			}
		}
		status := "CREATE"
		if kind != "created" {
			status = "UPDATE"
		}
		if perr != nil {
			c.d.Op.Failed = append(c.d.Op.Failed, id)
			c.resourceEvent(r, status+"_FAILED", s.reason(perr))
			return nil
		}
		if kind == "created" {
			c.resourceEvent(r, "CREATE_IN_PROGRESS", "Resource creation Initiated")
		}
		c.resourceEvent(r, status+"_COMPLETE", "")
		return nil
	})
}

// reason is a failure in words a person can act on.
func (s *Service) reason(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return describeError(err)
	}
	return err.Error()
}

// normal is a value as JSON would give it back, so that stored and fresh values compare.
func normal(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}

// failResource records a resource that could not even be attempted (its properties did not
// evaluate, a custom name blocks its replacement).
func (s *Service) failResource(ctx context.Context, id, logical, typ, reason string) (*stackDoc, error) {
	return s.mutate(ctx, id, false, func(c *change) error {
		r := c.d.Resources[logical]
		if r == nil || c.d.Op.Kind == opCreate {
			r = &resourceState{LogicalID: logical, Type: typ}
			c.d.Resources[logical] = r
		} else {
			r = r.clone()
			c.d.Resources[logical] = r
		}
		status := "CREATE_FAILED"
		if r.PhysicalID != "" {
			status = "UPDATE_FAILED"
		}
		c.d.Op.Failed = append(c.d.Op.Failed, logical)
		c.resourceEvent(r, status, reason)
		return nil
	})
}

// fail ends the apply phase after a failure: the stack rolls back, or with rollback disabled
// rests in CREATE_FAILED or UPDATE_FAILED.
func (s *Service) fail(ctx context.Context, id, logical, why string) error {
	_, err := s.mutate(ctx, id, false, func(c *change) error {
		op := c.d.Op
		c.d.markChangeSet(op.ChangeSetID, "EXECUTE_FAILED")
		verb := "create"
		if op.Kind == opUpdate {
			verb = "update"
		}
		reason := why
		if reason == "" {
			failed := append([]string(nil), op.Failed...)
			sort.Strings(failed)
			reason = fmt.Sprintf("The following resource(s) failed to %s: [%s]. ", verb, strings.Join(failed, ", "))
		}
		if op.Disable {
			c.d.Op = nil
			c.stackEvent(strings.ToUpper(verb)+"_FAILED", reason)
			return nil
		}
		op.Phase = "rollback"
		if op.Kind == opCreate {
			c.stackEvent("ROLLBACK_IN_PROGRESS", reason+"Rollback requested by user.")
		} else {
			c.stackEvent("UPDATE_ROLLBACK_IN_PROGRESS", reason)
		}
		return nil
	})
	return err
}

// finish evaluates the outputs and ends the operation in status; outputs that fail to evaluate
// or export a taken name fail the operation instead.
func (s *Service) finish(ctx context.Context, id, status string) error {
	x, err := s.store.Stack(ctx, id)
	if err != nil {
		return err
	}
	d, err := decodeDoc(x.Doc)
	if err != nil {
		return err
	}
	outputs, imports, oerr := s.outputs(ctx, d, d.Op.Template, d.Op.Params)
	if oerr != nil {
		if d.Op.Kind == opUpdate && d.Op.Phase == "cleanup" {
			// Too late to roll back what was cleaned up; keep the old outputs.
			outputs, oerr = d.Outputs, nil
		} else {
			return s.fail(ctx, id, "", oerr.Error())
		}
	}
	_, err = s.mutate(ctx, id, false, func(c *change) error {
		c.d.Template, c.d.Body, c.d.Parameters = c.d.Op.Template, c.d.Op.Body, c.d.Op.Params
		c.d.Outputs = outputs
		for _, name := range imports {
			if !slices.Contains(c.d.Imports, name) {
				c.d.Imports = append(c.d.Imports, name)
			}
		}
		if desc, ok := c.d.Template["Description"].(string); ok {
			c.d.Description = desc
		}
		if c.d.Op.ChangeSetID != "" {
			c.d.ChangeSetID = c.d.Op.ChangeSetID
			c.d.markChangeSet(c.d.Op.ChangeSetID, "EXECUTE_COMPLETE")
		}
		c.d.Op = nil
		c.stackEvent(status, "")
		return nil
	})
	return err
}

// outputs evaluates a template's Outputs, checking that its export names are free.
func (s *Service) outputs(ctx context.Context, d *stackDoc, tpl map[string]any, params []paramValue) ([]Output, []string, error) {
	ev, r := s.evaluator(ctx, d, tpl, params, false)
	outs, _ := tpl["Outputs"].(map[string]any)
	var out []Output
	exports := map[string]bool{}
	for _, key := range sortedKeys(outs) {
		def, _ := outs[key].(map[string]any)
		if c, ok := def["Condition"].(string); ok {
			on, err := ev.Condition(c)
			if err != nil {
				return nil, nil, err
			}
			if !on {
				continue
			}
		}
		v, err := ev.Eval(def["Value"])
		if err != nil {
			return nil, nil, err
		}
		o := Output{OutputKey: key, OutputValue: outputString(v)}
		if desc, ok := def["Description"].(string); ok {
			o.Description = desc
		}
		if exp, ok := def["Export"].(map[string]any); ok {
			n, err := ev.Eval(exp["Name"])
			if err != nil {
				return nil, nil, err
			}
			o.ExportName, _ = template.String(n)
			exports[o.ExportName] = true
		}
		out = append(out, o)
	}
	if len(exports) > 0 {
		stacks, err := s.store.ListStacks(ctx, d.Account, false)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range stacks {
			if x.ID == d.ID {
				continue
			}
			od, err := decodeDoc(x.Doc)
			if err != nil {
				continue
			}
			for _, o := range od.Outputs {
				if exports[o.ExportName] {
					return nil, nil, fmt.Errorf("Export with name %s is already exported by stack %s", o.ExportName, od.Name)
				}
			}
		}
	}
	imports := make([]string, 0, len(r.imports))
	for n := range r.imports {
		imports = append(imports, n)
	}
	sort.Strings(imports)
	return out, imports, nil
}

func outputString(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, 0, len(l))
		for _, x := range l {
			s, _ := template.String(x)
			parts = append(parts, s)
		}
		return strings.Join(parts, ",")
	}
	if s, ok := template.String(v); ok {
		return s
	}
	return template.JSON(v)
}

// reverse lists resources so that each comes before those it depends on.
func reverse(rs map[string]*resourceState) []string {
	deps := map[string][]string{}
	for id, r := range rs {
		deps[id] = r.Deps
	}
	order, err := template.Order(deps)
	if err != nil { // cannot happen for a graph that was created; fall back to names
		order = sortedKeysR(rs)
	}
	slices.Reverse(order)
	return order
}

func sortedKeysR(rs map[string]*resourceState) []string {
	out := make([]string, 0, len(rs))
	for k := range rs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// remove deletes one resource's physical resource, recording the events on logical id; it
// reports the provider's failure.
func (s *Service) remove(ctx context.Context, d *stackDoc, r *resourceState, retain bool) (*stackDoc, error, error) {
	if r.PhysicalID == "" || retain {
		status := "DELETE_COMPLETE"
		if retain {
			status = "DELETE_SKIPPED"
		}
		d, err := s.mutate(ctx, d.ID, false, func(c *change) error {
			c.resourceEvent(r.clone(), status, "")
			return nil
		})
		return d, nil, err
	}
	d, err := s.mutate(ctx, d.ID, false, func(c *change) error {
		c.resourceEvent(r.clone(), "DELETE_IN_PROGRESS", "")
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	p := providerFor(r.Type)
	var perr error
	if p != nil {
		perr = p.delete(ctx, &exec{s: s, stack: d, logical: r.LogicalID}, r)
		if perr != nil && notFound(perr) {
			perr = nil
		}
	}
	d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		if perr != nil {
			c.resourceEvent(r.clone(), "DELETE_FAILED", s.reason(perr))
		} else {
			c.resourceEvent(r.clone(), "DELETE_COMPLETE", "")
		}
		return nil
	})
	return d, perr, err
}

// notFound reports whether a service's error says the resource is gone already.
func notFound(err error) bool {
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		return false
	}
	code, _ := awserr.Resolve(awserr.Query, err)
	name := code.QueryCode()
	return strings.Contains(name, "NotFound") || strings.Contains(name, "NoSuch") || strings.Contains(name, "NonExistent")
}

// deleteAll deletes a stack's resources, dependents first; retained ones are skipped.
func (s *Service) deleteAll(ctx context.Context, d *stackDoc) error {
	var failed []string
	for _, id := range reverse(d.Resources) {
		r := d.Resources[id]
		if r.Status == "DELETE_COMPLETE" || r.Status == "DELETE_SKIPPED" {
			continue
		}
		retain := r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" || slices.Contains(d.Op.Retain, id)
		nd, perr, err := s.remove(ctx, d, r, retain)
		if err != nil {
			return err
		}
		d = nd
		if perr != nil {
			failed = append(failed, id)
			continue
		}
		d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
			if rr := c.d.Resources[id]; rr != nil {
				rr.Status = "DELETE_COMPLETE"
				if retain {
					rr.Status = "DELETE_SKIPPED"
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	_, err := s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.Op = nil
		if len(failed) > 0 {
			c.stackEvent("DELETE_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", ")))
			return nil
		}
		c.d.Deleted = c.now
		c.d.Outputs, c.d.ChangeSets = nil, nil
		c.stackEvent("DELETE_COMPLETE", "")
		return nil
	})
	return err
}

// rollbackCreate deletes what a failed create made.
func (s *Service) rollbackCreate(ctx context.Context, d *stackDoc) error {
	var failed []string
	for _, id := range reverse(d.Resources) {
		r := d.Resources[id]
		if r.Status == "DELETE_COMPLETE" {
			continue
		}
		nd, perr, err := s.remove(ctx, d, r, false)
		if err != nil {
			return err
		}
		d = nd
		if perr != nil {
			failed = append(failed, id)
			continue
		}
		if d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
			c.d.Resources[id].Status = "DELETE_COMPLETE"
			return nil
		}); err != nil {
			return err
		}
	}
	_, err := s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.Op = nil
		if len(failed) > 0 {
			c.stackEvent("ROLLBACK_FAILED", fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", ")))
		} else {
			why := c.d.Reason
			c.stackEvent("ROLLBACK_COMPLETE", "")
			c.d.Reason = why // what failed stays on the stack, for the person who reads it
		}
		return nil
	})
	return err
}

// cleanup deletes, after a successful update, the resources replaced and those removed.
func (s *Service) cleanup(ctx context.Context, d *stackDoc) error {
	keep := map[string]bool{}
	for id, r := range d.Resources {
		if d.Op.Change[id] != "" || (r.Status != "DELETE_COMPLETE" && slices.Contains(d.Op.Applied, id)) {
			keep[id] = true
		}
	}
	ev, _ := s.evaluator(ctx, d, d.Op.Template, d.Op.Params, false)
	order, _, err := graph(ev, d.Op.Template)
	if err != nil {
		order = nil
	}
	inNew := map[string]bool{}
	for _, id := range order {
		inNew[id] = true
	}
	for _, id := range reverse(d.Op.Old) {
		old := d.Op.Old[id]
		gone := !inNew[id]
		replaced := d.Op.Change[id] == "replaced"
		if !gone && !replaced {
			continue
		}
		if old.Status == "DELETE_COMPLETE" || old.PhysicalID == "" {
			continue
		}
		retain := old.DeletionPolicy == "Retain" || (replaced && false)
		nd, _, err := s.remove(ctx, d, old, retain)
		if err != nil {
			return err
		}
		d = nd
		if d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
			if gone {
				delete(c.d.Resources, id)
			}
			c.d.Op.Old[id].Status = "DELETE_COMPLETE"
			return nil
		}); err != nil {
			return err
		}
	}
	return s.finish(ctx, d.ID, "UPDATE_COMPLETE")
}

// rollbackUpdate undoes a failed update, last change first: resources made are deleted,
// resources changed are changed back, replacements give way to the resources they replaced.
func (s *Service) rollbackUpdate(ctx context.Context, d *stackDoc) error {
	applied := slices.Clone(d.Op.Applied)
	slices.Reverse(applied)
	for _, id := range applied {
		what := d.Op.Change[id]
		cur := d.Resources[id]
		old := d.Op.Old[id]
		switch what {
		case "created":
			if cur != nil && cur.Status != "DELETE_COMPLETE" {
				nd, _, err := s.remove(ctx, d, cur, false)
				if err != nil {
					return err
				}
				d = nd
			}
			var err error
			if d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
				delete(c.d.Resources, id)
				c.d.Op.Applied = slices.DeleteFunc(c.d.Op.Applied, func(x string) bool { return x == id })
				return nil
			}); err != nil {
				return err
			}
		case "replaced", "updated":
			if what == "replaced" && cur != nil && cur.PhysicalID != "" && cur.PhysicalID != old.PhysicalID {
				nd, _, err := s.remove(ctx, d, cur, false)
				if err != nil {
					return err
				}
				d = nd
			}
			var perr error
			if what == "updated" && cur != nil {
				nd, err := s.mutate(ctx, d.ID, false, func(c *change) error {
					c.resourceEvent(c.d.Resources[id], "UPDATE_IN_PROGRESS", "")
					return nil
				})
				if err != nil {
					return err
				}
				d = nd
				if p := providerFor(old.Type); p != nil && p.update != nil {
					r := old.clone()
					perr = p.update(ctx, &exec{s: s, stack: d, logical: id}, r, cur.Props, old.Props)
					old = r
				}
			}
			var err error
			if d, err = s.mutate(ctx, d.ID, false, func(c *change) error {
				r := old.clone()
				c.d.Resources[id] = r
				c.d.Op.Applied = slices.DeleteFunc(c.d.Op.Applied, func(x string) bool { return x == id })
				if perr != nil {
					c.resourceEvent(r, "UPDATE_FAILED", s.reason(perr))
				} else {
					c.resourceEvent(r, "UPDATE_COMPLETE", "")
				}
				return nil
			}); err != nil {
				return err
			}
		}
	}
	_, err := s.mutate(ctx, d.ID, false, func(c *change) error {
		why := c.d.Reason
		c.stackEvent("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
		c.d.Op = nil
		c.stackEvent("UPDATE_ROLLBACK_COMPLETE", "")
		c.d.Reason = why
		return nil
	})
	return err
}

// markChangeSet sets the execution status of the change set being executed.
func (d *stackDoc) markChangeSet(id, status string) {
	for _, cs := range d.ChangeSets {
		if id != "" && cs.ID == id {
			cs.ExecutionStatus = status
		}
	}
}

// resolveRefs returns props with the dynamic references in its strings resolved (props itself
// when it holds none).
func (s *Service) resolveRefs(ctx context.Context, account string, props map[string]any) (map[string]any, error) {
	if s.refs == nil || !strings.Contains(template.JSON(props), "{{resolve:") {
		return props, nil
	}
	v, err := s.resolveValue(ctx, account, props)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func (s *Service) resolveValue(ctx context.Context, account string, v any) (any, error) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "{{resolve:") {
			return t, nil
		}
		return s.refs.Resolve(ctx, account, t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			r, err := s.resolveValue(ctx, account, e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := s.resolveValue(ctx, account, e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}
