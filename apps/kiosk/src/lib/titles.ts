/** The professional titles (职称) of each category of health worker, junior to senior. */
export const TITLES = {
  doctor: ['住院医师', '主治医师', '副主任医师', '主任医师'],
  nurse: ['护士', '护师', '主管护师', '副主任护师', '主任护师'],
  pharmacist: ['药士', '药师', '主管药师', '副主任药师', '主任药师'],
  technician: ['技士', '技师', '主管技师', '副主任技师', '主任技师'],
} as const;
