// The member table keeps `firstName` and `lastName`. Sign-up forms that predate the standard
// attributes wrote them to `custom:firstName` / `custom:lastName`; newer ones (and social
// sign-in) write `given_name` / `family_name`. The custom attribute wins when it is filled.
import { defaultProfile, type AttributeMapper } from 'cognito-profile-sync';

/** The first value that is not blank: a custom attribute left empty does not hide the standard one. */
function firstFilled(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '');
}

/**
 * The default profile plus `firstName` and `lastName`. A name missing from both attributes
 * is left out (the library drops `undefined`), so a sign-in never blanks a stored name.
 */
export const memberProfile: AttributeMapper = (attributes, context) => ({
  ...defaultProfile(attributes, context),
  firstName: firstFilled(attributes['custom:firstName'], attributes.given_name),
  lastName: firstFilled(attributes['custom:lastName'], attributes.family_name),
});
