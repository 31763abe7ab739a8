"""Partners without git: an issue form becomes a pull request (``python -m mednum form``).

Three issue forms (``.github/ISSUE_TEMPLATE/``) ask, in French and in the site's words, what a
librarian or a town hall's secretary knows about a place or a workshop: « Proposer un nouveau
lieu », « Mettre à jour un lieu » (opened with the identifier filled in from the « Proposer une
modification » link of the place's page) and « Annoncer un atelier ». The workflow
``.github/workflows/formulaires.yml`` runs ``python -m mednum form --event …`` on each issue
opened or edited with one of their labels; this package:

* reads the answers from the issue's Markdown (``issue``), under the headings GitHub writes
  from the labels of the form's YAML (``spec``: the form is the single description of its
  fields; its checkboxes and lists use the labels of ``mednum.vocab``);
* turns each answer into a value of the record (``values``): weekday lines into the
  ``opening_hours`` syntax, phone numbers into ``+33…``, a commune's name or postal code into
  its INSEE code and postal code (``data/reference/communes.json``; a postal code shared by
  several communes, or a name shared by several, asks for the other), a position copied from
  a map into coordinates;
* finds the coordinates from the address when the form gives none (``geocode``): the Base
  Adresse Nationale's search service (``https://api-adresse.data.gouv.fr/search/?q=…&citycode=
  <INSEE>``), through a ``fetch`` function given by the caller (the network in the workflow,
  stored answers in the tests). An answer is accepted only in the right commune, at the
  precision of a house number, a street or a named place, with a score of at least 0.6;
  otherwise the person is asked for a more precise address or for the position. The
  commune's centre is never written as a place's position;
* writes the record into a copy of the data as the importer does, checks the whole catalogue
  with the project's validator, checks that no other record changed (``convert``);
* words the result in French (``render``): the description of a pull request (for an update,
  each changed field, before → after), or a comment that lists, field by field, what is wrong
  and what to write.

Hostile texts change nothing: every answer is capped in size, HTML, control characters, YAML
markers and several lines in a one-line field are refused, an update names exactly one
existing record, and a change that would touch another record is refused.
"""
