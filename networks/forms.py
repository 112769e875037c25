from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from openpyxl.utils import get_column_letter

from .imports import FIELD_LABELS, FIELDS, WITHOUT
from .models import MemberRole, Membership, MessagePreference, Organisation, Sector


class ConsentFieldsMixin(forms.Form):
    show_title = forms.BooleanField(label=_("Show my title to other members"), required=False)
    show_email = forms.BooleanField(label=_("Show my e-mail to other members"), required=False)
    show_phone = forms.BooleanField(
        label=_("Show my phone number to other members"), required=False
    )
    message_preference = forms.ChoiceField(
        label=_("Messages from this network"),
        choices=MessagePreference.choices,
        initial=MessagePreference.DIGEST,
        help_text=_("Registration e-mails for events always arrive."),
    )


class JoinForm(ConsentFieldsMixin):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("Not in the list? Leave empty and write it on your profile."),
    )
    role = forms.ChoiceField(
        label=_("Role in the network"), choices=MemberRole.choices, initial=MemberRole.PRACTITIONER
    )
    field_order = [
        "organisation",
        "role",
        "show_title",
        "show_email",
        "show_phone",
        "message_preference",
    ]


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["show_title", "show_email", "show_phone", "message_preference"]
        help_texts = {"message_preference": _("Registration e-mails for events always arrive.")}


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent with the decision by e-mail."),
    )


class SelectedIdsField(forms.Field):
    """The values of the ticked checkboxes (ids) that the template draws one per row;
    anything that is not an id is left out."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        return [int(v) for v in value or [] if str(v).isdecimal()]


class RequestsDecisionForm(forms.Form):
    """Several join requests decided at once (the management page's request list)."""

    APPROVE, DECLINE = "approve", "decline"

    memberships = SelectedIdsField(required=False)
    message = forms.CharField(
        label=_("Message to the people"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent with each decision by e-mail. Optional."),
    )
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))])


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    role = forms.ChoiceField(
        label=_("Role in the network"), choices=MemberRole.choices, initial=MemberRole.PRACTITIONER
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV or XLSX)"),
        help_text=_(
            "Any columns, with their names on one row (a title above them is skipped). "
            "Finnish, Swedish and English names are recognised, for example Etunimi, "
            "Sukunimi, Sähköpostiosoite, Organisaatio; you check them in the next step."
        ),
    )


class ColumnMappingForm(forms.Form):
    """What each column of the uploaded file is: one choice per column, proposed from its
    name (networks.imports.propose_mapping)."""

    def __init__(self, *args, table, mapping: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not imported"))] + [(f, FIELD_LABELS[f]) for f in FIELDS]
        for index, header in enumerate(table.headers):
            examples = table.examples(index)
            letter = get_column_letter(index + 1)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=(
                    _("Column %(letter)s: “%(header)s”") % {"letter": letter, "header": header}
                    if header
                    else _("Column %(letter)s (no name)") % {"letter": letter}
                ),
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
                help_text=(
                    _("For example: %(examples)s") % {"examples": ", ".join(examples)}
                    if examples
                    else _("The column is empty.")
                ),
            )
        self.column_count = len(table.headers)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}", "") for i in range(self.column_count)]


class OrganisationDecisionForm(forms.Form):
    """One answer per organisation value of the file that is not known: an organisation
    (remembered as an alias when the import is confirmed) or "import without"."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = list(Organisation.objects.values_list("pk", "name"))
        self.questions = questions
        for number, question in enumerate(questions):
            suggested = [(str(s.organisation_id), s.name) for s in question.suggestions]
            taken = {pk for pk, _name in suggested}
            others = [(str(pk), name) for pk, name in everyone if str(pk) not in taken]
            choices = [("", _("Choose…"))]
            if suggested:
                choices.append((_("Suggestions"), suggested))
            choices.append((_("All organisations"), others))
            choices.append((WITHOUT, _("Import without organisation")))
            rows = ", ".join(str(r) for r in question.rows[:10])
            if len(question.rows) > 10:
                rows += ", …"
            self.fields[f"organisation_{number}"] = forms.ChoiceField(
                label=_("“%(value)s”") % {"value": question.value},
                choices=choices,
                initial=suggested[0][0] if suggested else "",
                help_text=ngettext_lazy(
                    "%(count)d row (row %(rows)s).",
                    "%(count)d rows (rows %(rows)s).",
                    "count",
                )
                % {"count": len(question.rows), "rows": rows},
            )

    def decisions(self) -> dict[str, int | str]:
        answers: dict[str, int | str] = {}
        for number, question in enumerate(self.questions):
            answer = self.cleaned_data[f"organisation_{number}"]
            answers[question.key] = WITHOUT if answer == WITHOUT else int(answer)
        return answers


class AnnouncementForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["organisation"].choices = everything + list(choices["organisations"])
        self.fields["sector"].choices = everything + list(Sector.choices)
        self.fields["role"].choices = everything + list(MemberRole.choices)
        self.fields["municipality"].choices = everything + [
            (m, m) for m in choices["municipalities"]
        ]


class MergeOrganisationsForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=_("Keep this organisation"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = organisations
