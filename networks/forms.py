from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
            "Columns: name, e-mail, organisation, role (or nimi, sähköposti, organisaatio, "
            "rooli). The first row holds the column names."
        ),
    )


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
