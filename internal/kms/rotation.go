package kms

import "context"

// EnableKeyRotationInput is EnableKeyRotation's input.
type EnableKeyRotationInput struct {
	KeyId                string
	RotationPeriodInDays *int32
}

func (i *EnableKeyRotationInput) keyID() string { return i.KeyId }

// EnableKeyRotation turns on automatic rotation (every 90–2560 days, 365 by default).
func (s *Service) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (*Empty, error) {
	period := int32(365)
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	if period < 90 || period > 2560 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560", period)
	}
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := rotatable(k); err != nil {
			return err
		}
		k.doc.Rotation, k.doc.RotationPeriod = true, period
		k.doc.NextRotation = s.clock.Now().AddDate(0, 0, int(period))
		return nil
	})
	return &Empty{}, err
}

// DisableKeyRotation turns automatic rotation off.
func (s *Service) DisableKeyRotation(ctx context.Context, in *KeyInput) (*Empty, error) {
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := rotatable(k); err != nil {
			return err
		}
		k.doc.Rotation = false
		return nil
	})
	return &Empty{}, err
}

// rotatable refuses rotation settings on keys that cannot take them.
func rotatable(k *key) error {
	if err := customerKey(k); err != nil {
		return err
	}
	if k.doc.Meta.KeySpec != "SYMMETRIC_DEFAULT" {
		return ErrUnsupported.Errorf("%s does not support automatic rotation.", k.arn())
	}
	return usable(k)
}

// GetKeyRotationStatusOutput is GetKeyRotationStatus' answer.
type GetKeyRotationStatusOutput struct {
	KeyId                string
	KeyRotationEnabled   bool
	RotationPeriodInDays *int32 `json:",omitempty"`
	NextRotationDate     *Time  `json:",omitempty"`
}

// GetKeyRotationStatus tells whether a key rotates automatically.
func (s *Service) GetKeyRotationStatus(ctx context.Context, in *KeyInput) (*GetKeyRotationStatusOutput, error) {
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	out := &GetKeyRotationStatusOutput{KeyId: k.arn(), KeyRotationEnabled: k.doc.Rotation}
	if k.doc.Rotation {
		p := k.doc.RotationPeriod
		out.RotationPeriodInDays, out.NextRotationDate = &p, at(k.doc.NextRotation)
	}
	return out, nil
}

// RotateKeyOnDemandOutput is RotateKeyOnDemand's answer.
type RotateKeyOnDemandOutput struct{ KeyId string }

// RotateKeyOnDemand gives a key new material now.
func (s *Service) RotateKeyOnDemand(ctx context.Context, in *KeyInput) (*RotateKeyOnDemandOutput, error) {
	k, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := rotatable(k); err != nil {
			return err
		}
		return s.rotate(ctx, k, "ON_DEMAND")
	})
	if err != nil {
		return nil, err
	}
	return &RotateKeyOnDemandOutput{KeyId: k.arn()}, nil
}

// ListKeyRotationsOutput is ListKeyRotations' answer.
type ListKeyRotationsOutput struct {
	Rotations []Rotation
	Truncated bool
}

// ListKeyRotations lists a key's rotations.
func (s *Service) ListKeyRotations(ctx context.Context, in *ListInput) (*ListKeyRotationsOutput, error) {
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &ListKeyRotationsOutput{Rotations: append([]Rotation{}, k.doc.Rotations...)}, nil
}
