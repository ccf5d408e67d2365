package cloudformation

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"time"

	"github.com/gureum/gureum/internal/cloudformation/template"
)

// changeSet is a change set as kept in its stack's document.
type changeSet struct {
	ID              string
	Name            string
	Type            string // CREATE or UPDATE
	Body            string
	Template        map[string]any
	Params          []paramValue
	Status          string
	ExecutionStatus string
	Reason          string `json:",omitempty"`
	Created         time.Time
	Description     string   `json:",omitempty"`
	Capabilities    []string `json:",omitempty"`
	Tags            []Tag    `json:",omitempty"`
	Notification    []string `json:",omitempty"`
	RoleARN         string   `json:",omitempty"`
	Changes         []Change
}

func (d *stackDoc) changeSet(nameOrID string) *changeSet {
	for _, cs := range d.ChangeSets {
		if cs.ID == nameOrID || cs.Name == nameOrID {
			return cs
		}
	}
	return nil
}

var changeSetNameRe = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// noChanges are AWS's reasons for a change set without changes (tools match their prefixes).
const (
	noChanges          = "The submitted information didn't contain changes. Submit different information to create a change set."
	noChangesTransform = "No updates are to be performed."
)

// CreateChangeSet plans a stack's creation or update. The plan is made before the call
// returns, so the change set is CREATE_COMPLETE (or FAILED, with no changes) at once.
func (s *Service) CreateChangeSet(ctx context.Context, in *CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	if !changeSetNameRe.MatchString(in.ChangeSetName) {
		return nil, validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	typ := in.ChangeSetType
	if typ == "" {
		typ = "UPDATE"
	}
	if typ != "CREATE" && typ != "UPDATE" {
		return nil, validation("ChangeSetType %s is not supported: CREATE or UPDATE", typ)
	}
	p := callerOf(ctx)
	x, d, err := s.load(ctx, in.StackName)
	exists := err == nil
	if exists && typ == "CREATE" && d.Status != "REVIEW_IN_PROGRESS" {
		return nil, ErrAlreadyExists.Errorf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)
	}
	if !exists && typ == "UPDATE" {
		return nil, err
	}
	if exists && typ == "UPDATE" && d.Status == "REVIEW_IN_PROGRESS" {
		return nil, validation("Stack [%s] does not exist", in.StackName)
	}
	if !exists {
		if err := checkStackName(in.StackName); err != nil {
			return nil, err
		}
	}
	var previous []paramValue
	body := ""
	if exists {
		previous, body = d.Parameters, d.Body
	}
	if !in.UsePreviousTemplate || !exists {
		if body, err = s.body(ctx, p, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
		if body == "" {
			return nil, validation("Either Template URL or Template Body must be specified.")
		}
	}
	pr, err := s.prepare(ctx, p, body, in.Parameters, previous)
	if err != nil {
		return nil, err
	}
	if err := checkCaps(pr.caps, in.Capabilities, pr.transforms, false); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	if !exists {
		d = &stackDoc{ID: s.stackARN(p.Account, in.StackName), Name: in.StackName, Account: p.Account, Created: now,
			Resources: map[string]*resourceState{}, Caller: p, Tags: in.Tags}
		c := &change{d: d, now: now}
		c.stackEvent("REVIEW_IN_PROGRESS", "User Initiated")
		if err := s.createDoc(ctx, d, c.events, false); err != nil {
			return nil, err
		}
		x.ID = d.ID
	}
	cs := &changeSet{ID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", s.region, p.Account, in.ChangeSetName, newUUID()),
		Name: in.ChangeSetName, Type: typ, Body: body, Template: pr.tpl, Params: pr.params, Created: now, Description: in.Description,
		Capabilities: in.Capabilities, Tags: in.Tags, Notification: in.NotificationARNs, RoleARN: in.RoleARN}
	_, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		if c.d.changeSet(in.ChangeSetName) != nil {
			return ErrAlreadyExists.Errorf("ChangeSet [%s] already exists", in.ChangeSetName)
		}
		cs.Changes = s.plan(ctx, c.d, typ, pr)
		cs.Status, cs.ExecutionStatus = "CREATE_COMPLETE", "AVAILABLE"
		if typ == "UPDATE" && len(cs.Changes) == 0 && slices.Equal(pr.params, c.d.Parameters) &&
			template.JSON(pr.tpl) == template.JSON(c.d.Template) && (in.Tags == nil || slices.Equal(in.Tags, c.d.Tags)) {
			cs.Status, cs.ExecutionStatus, cs.Reason = "FAILED", "UNAVAILABLE", noChanges
			if len(pr.transforms) > 0 {
				cs.Reason = noChangesTransform
			}
		}
		c.d.ChangeSets = append(c.d.ChangeSets, cs)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateChangeSetOutput{Id: cs.ID, StackId: d.ID}, nil
}

// plan lists the resource changes a template makes to a stack.
func (s *Service) plan(ctx context.Context, d *stackDoc, typ string, pr *prepared) []Change {
	ev, _ := s.evaluator(ctx, d, pr.tpl, pr.params, true)
	order, _, err := graph(ev, pr.tpl)
	if err != nil {
		return nil
	}
	res := pr.tpl["Resources"].(map[string]any)
	changes := []Change{}
	inNew := map[string]bool{}
	for _, id := range order {
		inNew[id] = true
		def := res[id].(map[string]any)
		rtype, _ := def["Type"].(string)
		old := d.Resources[id]
		rc := ResourceChange{LogicalResourceId: id, ResourceType: rtype, Scope: []string{}}
		if typ == "CREATE" || old == nil || old.PhysicalID == "" {
			rc.Action = "Add"
			changes = append(changes, Change{Type: "Resource", ResourceChange: rc})
			continue
		}
		rc.PhysicalResourceId = old.PhysicalID
		props := map[string]any{}
		if raw, ok := def["Properties"]; ok {
			if v, err := ev.Eval(raw); err == nil {
				props, _ = v.(map[string]any)
			} else {
				props = map[string]any{"": template.Unknown{}}
			}
		}
		if old.Type == rtype && reflect.DeepEqual(normal(old.Props), normal(props)) && !template.HasUnknown(props) {
			continue
		}
		p := providerFor(rtype)
		rc.Action, rc.Replacement = "Modify", "False"
		rc.Scope = []string{"Properties"}
		keys := map[string]bool{}
		for k := range props {
			keys[k] = true
		}
		for k := range old.Props {
			keys[k] = true
		}
		for _, k := range sortedKeysB(keys) {
			nv, ov := props[k], old.Props[k]
			unknown := template.HasUnknown(nv)
			if !unknown && reflect.DeepEqual(normal(nv), normal(ov)) {
				continue
			}
			recreate := "Never"
			if old.Type != rtype || p.update == nil || p.replaces(map[string]any{k: ov}, map[string]any{k: nv}) {
				recreate = "Always"
			}
			eval := "Static"
			if unknown {
				eval = "Dynamic"
				if recreate == "Always" {
					recreate = "Conditionally"
				}
			}
			switch {
			case recreate == "Always":
				rc.Replacement = "True"
			case recreate == "Conditionally" && rc.Replacement != "True":
				rc.Replacement = "Conditional"
			}
			rc.Details = append(rc.Details, ResourceChangeDetail{Target: ResourceTargetDefinition{Attribute: "Properties", Name: k,
				RequiresRecreation: recreate}, Evaluation: eval, ChangeSource: "DirectModification"})
		}
		changes = append(changes, Change{Type: "Resource", ResourceChange: rc})
	}
	for _, id := range sortedKeysR(d.Resources) {
		r := d.Resources[id]
		if !inNew[id] && r.Status != "DELETE_COMPLETE" {
			changes = append(changes, Change{Type: "Resource", ResourceChange: ResourceChange{Action: "Remove", LogicalResourceId: id,
				PhysicalResourceId: r.PhysicalID, ResourceType: r.Type, Scope: []string{}}})
		}
	}
	return changes
}

func sortedKeysB(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// changeSetFor finds a change set by ARN, or by name within a stack.
func (s *Service) changeSetFor(ctx context.Context, name, stack string) (*stackDoc, *changeSet, error) {
	var d *stackDoc
	var err error
	if isARN(name) {
		d, err = s.stackOfChangeSet(ctx, name)
	} else {
		if stack == "" {
			return nil, nil, validation("StackName must be specified if ChangeSetName is not specified as an ARN.")
		}
		_, d, err = s.load(ctx, stack)
		if err != nil {
			return nil, nil, ErrChangeSetNotFound.Errorf("ChangeSet [%s] does not exist", name)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	cs := d.changeSet(name)
	if cs == nil {
		return nil, nil, ErrChangeSetNotFound.Errorf("ChangeSet [%s] does not exist", name)
	}
	return d, cs, nil
}

func (s *Service) stackOfChangeSet(ctx context.Context, arn string) (*stackDoc, error) {
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), false)
	if err != nil {
		return nil, err
	}
	for _, x := range stacks {
		d, err := decodeDoc(x.Doc)
		if err == nil && d.changeSet(arn) != nil {
			return d, nil
		}
	}
	return nil, ErrChangeSetNotFound.Errorf("ChangeSet [%s] does not exist", arn)
}

// DescribeChangeSet describes a change set and its changes.
func (s *Service) DescribeChangeSet(ctx context.Context, in *ChangeSetInput) (*DescribeChangeSetOutput, error) {
	d, cs, err := s.changeSetFor(ctx, in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	out := &DescribeChangeSetOutput{ChangeSetName: cs.Name, ChangeSetId: cs.ID, StackId: d.ID, StackName: d.Name, Description: cs.Description,
		CreationTime: cs.Created, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.Reason,
		NotificationARNs: cs.Notification, Capabilities: cs.Capabilities, Tags: cs.Tags, Changes: cs.Changes}
	for _, p := range cs.Params {
		v := p.Value
		if p.NoEcho {
			v = "****"
		}
		out.Parameters = append(out.Parameters, Parameter{ParameterKey: p.Key, ParameterValue: v, ResolvedValue: p.Resolved})
	}
	return out, nil
}

// ExecuteChangeSet runs a change set's creation or update; the stack's other change sets go.
func (s *Service) ExecuteChangeSet(ctx context.Context, in *ChangeSetInput) (*Empty, error) {
	d, cs, err := s.changeSetFor(ctx, in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	if cs.ExecutionStatus != "AVAILABLE" {
		return nil, ErrInvalidChangeSetStatus.Errorf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	}
	role := cmpOr(cs.RoleARN, d.RoleARN)
	p, err := s.asRole(ctx, callerOf(ctx), role)
	if err != nil {
		return nil, err
	}
	disable := in.DisableRollback != nil && *in.DisableRollback
	keep := func(c *change) {
		for _, x := range c.d.ChangeSets {
			if x.ID == cs.ID {
				x.ExecutionStatus = "EXECUTE_IN_PROGRESS"
				c.d.ChangeSets = []*changeSet{x}
				return
			}
		}
	}
	if cs.Type == "UPDATE" {
		pr := &prepared{body: cs.Body, tpl: cs.Template, params: cs.Params}
		if _, err := s.mutate(ctx, d.ID, false, func(c *change) error { keep(c); return nil }); err != nil {
			return nil, err
		}
		if err := s.startUpdate(ctx, d.ID, p, role, pr, cs.Tags, cs.Notification, disable, cs.ID); err != nil {
			return nil, err
		}
		return &Empty{}, nil
	}
	w := s.waiter(d.ID)
	_, err = s.mutate(ctx, d.ID, true, func(c *change) error {
		if c.d.Status != "REVIEW_IN_PROGRESS" {
			return ErrInvalidChangeSetStatus.Errorf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
		}
		keep(c)
		c.d.Op = &operation{Kind: opCreate, Phase: "apply", Template: cs.Template, Body: cs.Body, Params: cs.Params, Disable: disable,
			ChangeSetID: cs.ID}
		c.d.Parameters, c.d.Capabilities, c.d.NotificationARNs, c.d.DisableRollback = cs.Params, cs.Capabilities, cs.Notification, disable
		if cs.Tags != nil {
			c.d.Tags = cs.Tags
		}
		c.d.Caller, c.d.RoleARN = p, role
		c.stackEvent("CREATE_IN_PROGRESS", "User Initiated")
		return nil
	})
	if err != nil {
		s.signal(d.ID)
		return nil, err
	}
	s.await(ctx, d.ID, w)
	return &Empty{}, nil
}

// DeleteChangeSet deletes a change set; one that is gone already, of a stack that exists, is no
// error.
func (s *Service) DeleteChangeSet(ctx context.Context, in *ChangeSetInput) (*Empty, error) {
	d, cs, err := s.changeSetFor(ctx, in.ChangeSetName, in.StackName)
	if err != nil {
		if !isARN(in.ChangeSetName) && in.StackName != "" {
			if _, _, lerr := s.load(ctx, in.StackName); lerr == nil {
				return &Empty{}, nil
			}
		}
		return nil, err
	}
	if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
		return nil, ErrInvalidChangeSetStatus.Errorf("Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS")
	}
	_, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.ChangeSets = slices.DeleteFunc(c.d.ChangeSets, func(x *changeSet) bool { return x.ID == cs.ID })
		return nil
	})
	return &Empty{}, err
}

// ListChangeSets lists a stack's change sets.
func (s *Service) ListChangeSets(ctx context.Context, in *ListChangeSetsInput) (*ListChangeSetsOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	out := &ListChangeSetsOutput{Summaries: []ChangeSetSummary{}}
	for _, cs := range d.ChangeSets {
		out.Summaries = append(out.Summaries, ChangeSetSummary{StackId: d.ID, StackName: d.Name, ChangeSetId: cs.ID, ChangeSetName: cs.Name,
			ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.Reason, CreationTime: cs.Created, Description: cs.Description})
	}
	return out, nil
}
